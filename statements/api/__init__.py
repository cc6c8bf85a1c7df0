"""The REST API: serializers, filters and viewsets over the archive's published content."""
