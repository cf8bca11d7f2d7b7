"""Plans -> files. Writers serialise; they decide nothing."""
