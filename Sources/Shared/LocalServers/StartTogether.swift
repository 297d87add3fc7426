import Foundation
import Synchronization

extension Array where Element == any ServerProcess {
    /// Starts every process not running, all at once, and waits until each answers: members of a
    /// cluster answer only once a quorum of them is up, so one at a time would never finish.
    public func startTogether(timeout: TimeInterval? = nil) throws {
        let failure = Mutex<(any Error)?>(nil)
        DispatchQueue.concurrentPerform(iterations: count) { index in
            do { try self[index].start(timeout: timeout) } catch { failure.withLock { $0 = $0 ?? error } }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }
}
