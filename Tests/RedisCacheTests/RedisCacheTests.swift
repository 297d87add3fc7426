import Testing
@testable import RedisCache
