"""V8 heap snapshots (``.heapsnapshot``) from Node and Chrome."""
