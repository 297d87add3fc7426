import Foundation
import MemeKit
import Testing
@testable import LocalStack

@Suite struct StackSettingsTests {
    @Test func portsDefaultToTheProgramsOwnDefaults() throws {
        let ports = try StackSettings.ports(SettingsReader(environment: [:]))
        #expect(ports.nats == 4222 && ports.redis == 6379 && ports.web == 8080 && ports.prometheus == 9090 && ports.control == 9190)
    }

    @Test func aPortVariableMovesItsPort() throws {
        let ports = try StackSettings.ports(SettingsReader(environment: ["DEMO_WEB_PORT": "18080", "DEMO_NATS_PORT": "14222"]))
        #expect(ports.web == 18080 && ports.nats == 14222)
    }

    @Test func aBadPortNamesItsVariable() {
        #expect(throws: SettingsError.self) { try StackSettings.ports(SettingsReader(environment: ["DEMO_REDIS_PORT": "redis"])) }
        do {
            _ = try StackSettings.ports(SettingsReader(environment: ["DEMO_REDIS_PORT": "70000"]))
            Issue.record("accepted port 70000")
        } catch {
            #expect("\(error)".contains("DEMO_REDIS_PORT"))
        }
    }

    @Test func overlappingPortsAreRefusedWithBothNames() {
        do {
            _ = try StackSettings.ports(SettingsReader(environment: ["DEMO_WEB_PORT": "9103"]))
            Issue.record("accepted the web port inside the worker metrics block")
        } catch {
            #expect("\(error)".contains("DEMO_WEB_PORT") && "\(error)".contains("DEMO_WORKER_METRICS_BASE_PORT"))
        }
    }

    @Test func onlyTakesServiceNamesAndSaysWhichExist() throws {
        #expect(try StackSettings.services("nats, redis") == [.nats, .redis])
        #expect(try StackSettings.services(nil) == Set(StackService.allCases))
        do {
            _ = try StackSettings.services("nats,kafka")
            Issue.record("accepted kafka")
        } catch {
            #expect("\(error)".contains("kafka") && "\(error)".contains("redis-exporter"))
        }
    }

    @Test func freePortsDoNotCollide() throws {
        let ports = try StackSettings.freePorts()
        #expect(ports.web != ports.nats && ports.workerMetricsBase != ports.webProcessBase)
    }

    @Test func aClusterHandsEveryMembersMonitorToItsChildren() throws {
        let r = SettingsReader(environment: ["DEMO_NATS_CLUSTER": "3", "DEMO_NATS_PORT": "14222", "DEMO_NATS_MONITOR_PORT": "18222"])
        let s = try StackSettings.resolve(r, binaries: "/bin", manifests: "/k8s", environment: [:])
        #expect(s.natsMonitorURL == "http://127.0.0.1:18222")  // member 1's, in the manifest
        // Every member's, for the console and the KEDA stand-in (the consumer leader's lag, any member down).
        #expect(s.natsMonitorURLs == "http://127.0.0.1:18222,http://127.0.0.1:18223,http://127.0.0.1:18224")
        #expect(s.childEnvironment[MemeEnv.natsMonitorURL] == s.natsMonitorURLs)
        let one = try StackSettings.resolve(SettingsReader(environment: ["DEMO_NATS_MONITOR_PORT": "18222"]), binaries: "/bin", manifests: "/k8s",
                                            environment: [:])
        #expect(one.childEnvironment[MemeEnv.natsMonitorURL] == "http://127.0.0.1:18222")
        // --only without nats: external lists pass through (server URLs and monitors alike).
        let external = try StackSettings.resolve(
            SettingsReader(environment: ["NATS_MONITOR_URL": "http://a:8222, http://b:8222", "NATS_URL": "nats://a:4222, nats://b:4222"]),
            services: [.worker], binaries: "/bin", manifests: "/k8s", environment: [:])
        #expect(external.natsMonitorURL == "http://a:8222")
        #expect(external.natsMonitorURLs == "http://a:8222,http://b:8222")
        #expect(external.childEnvironment[MemeEnv.natsMonitorURL] == "http://a:8222,http://b:8222")
        #expect(external.natsURL == "nats://a:4222,nats://b:4222")
    }
}
