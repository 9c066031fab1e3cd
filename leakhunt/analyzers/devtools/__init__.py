"""Chrome DevTools' heap-model rules (page flags, distances, essential edges, shallow-size
ownership, DOM state) that the dominator computation reproduces exactly."""
