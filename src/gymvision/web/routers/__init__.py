"""HTTP routers: translate requests into calls on the service objects, nothing more."""
