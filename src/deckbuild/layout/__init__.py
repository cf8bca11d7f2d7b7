"""Model -> plans. Pure: nothing here writes a file."""
