// Tests start servers through the same definitions as the demo stack (LocalServers); this module
// adds only what tests need on top: the fake Kubernetes API and paths of the built binaries.
@_exported import LocalServers
