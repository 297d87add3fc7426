import Foundation

/// `<dir>/stack.json`: where everything of a running stack is, for demo.sh, the tests, the drills
/// and the scaling report (they read ports and URLs from here instead of defining them again).
public struct StackManifest: Codable, Sendable, Equatable {
    public static let currentVersion = 1

    public var version: Int
    /// meme-stack's own pid: SIGTERM to it stops everything in order.
    public var pid: Int32
    public var directory: String
    public var startedAt: Double
    public var ports: StackPorts
    public var urls: URLs
    public var services: [String: ServiceState]
    /// `DEMO_NATS_CLUSTER` > 1: each nats-server of the cluster (the `nats` service is all of them).
    public var natsCluster: [NATSMember]?

    public struct NATSMember: Codable, Sendable, Equatable {
        public var name: String
        public var url: String
        public var monitorURL: String
        public var pid: Int32?
        public var running: Bool
        public var log: String

        enum CodingKeys: String, CodingKey {
            case name, url, pid, running, log
            case monitorURL = "monitor_url"
        }
    }

    public struct URLs: Codable, Sendable, Equatable {
        public var nats: String
        public var natsMonitor: String
        public var redis: String
        public var prometheus: String
        public var web: String
        public var control: String

        enum CodingKeys: String, CodingKey {
            case nats, redis, prometheus, web, control
            case natsMonitor = "nats_monitor"
        }
    }

    public struct ServiceState: Codable, Sendable, Equatable {
        public var running: Bool
        /// Answers its readiness probe (nats /healthz, redis PING, prometheus /-/ready …).
        public var answering: Bool
        public var pid: Int32?
        public var restarts: Int
        /// Stopped through the control API and kept down.
        public var heldDown: Bool
        public var log: String?
        /// For worker and web: processes running now.
        public var replicas: Int?

        enum CodingKeys: String, CodingKey {
            case running, answering, pid, restarts, log, replicas
            case heldDown = "held_down"
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, pid, directory, ports, urls, services
        case natsCluster = "nats_cluster"
        case startedAt = "started_at"
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        guard let data = try? encoder.encode(self) else { return "{}" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Reads `<dir>/stack.json`; a clear error when there is none or it is not one.
    public static func read(directory: String) throws -> StackManifest {
        let path = directory + "/stack.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StackError("no running stack in \(directory) (\(path) does not exist)")
        }
        do {
            let manifest = try JSONDecoder().decode(StackManifest.self, from: data)
            guard manifest.version == currentVersion else {
                throw StackError("\(path) has version \(manifest.version); this meme-stack reads version \(currentVersion)")
            }
            return manifest
        } catch let error as StackError {
            throw error
        } catch {
            throw StackError("\(path) is not a stack manifest: \(error)")
        }
    }
}
