"""SpiderMonkey ``js::DumpHeap`` GC logs (Firefox, GJS, the js shells, embedders)."""
