import TestServers

/// Test shorthand for the captures in Tests/Fixtures (located by TestServers.SharedFixtures).
typealias Fixtures = SharedFixtures
