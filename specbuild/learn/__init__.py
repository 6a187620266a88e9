"""Learning a spec from exchanges; pure: fold (builder, schema, paths), then render (render, overlay)."""
