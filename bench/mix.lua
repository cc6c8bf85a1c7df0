-- wrk script for bench/loadtest.py: every connection rotates through the paths given
-- after `--`, starting at a different one; counting and the result line are report.lua's.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./"
dofile(here .. "report.lua")

local counted_init = init
local paths, next_path = {}, 0

function init(args)
  counted_init(args)
  for i, path in ipairs(args) do
    paths[i] = path
  end
  next_path = math.random(#paths) - 1
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end
