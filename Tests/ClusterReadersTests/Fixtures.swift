import TestServers

/// Test shorthand for the shared captures (located by TestServers.SharedFixtures).
typealias Fixtures = SharedFixtures
