// Starts Redoc on /api/docs/redoc/ without an inline script (Content-Security-Policy).
"use strict";
(function () {
  const script = document.currentScript;
  Redoc.init(
    script.dataset.schemaUrl,
    { nonce: script.nonce },
    document.getElementById("redoc-container")
  );
})();
