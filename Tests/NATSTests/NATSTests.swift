import Testing
@testable import NATS
