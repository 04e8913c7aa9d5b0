"""Work that runs outside web requests: the sweep, the dispatcher and the scheduler that ticks them."""
