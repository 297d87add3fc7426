/// One decoded Redis reply (RESP2), copied out of hiredis memory.
enum RedisReply: Sendable, Equatable {
    case string([UInt8])
    case status(String)
    case integer(Int)
    case null
    case array([RedisReply])
    case error(String)
}
