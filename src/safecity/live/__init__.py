"""Live updates for the command map: bus events fanned out to browsers over SSE."""
