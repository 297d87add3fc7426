import CurlHTTP
import Foundation
import Testing
@testable import ClusterReaders

@Suite struct KubeconfigTests {
    @Test func javascriptClientFixtureCurrentContext() throws {
        let config = try Kubeconfig.parse(try Fixtures.text("kubeconfig/kubeconfig.javascript-client-testdata.yaml"), baseDirectory: "/cfg")
        #expect(config.currentContext == "context2")
        let c = try config.connection()
        #expect(c.server == "http://example2.com")
        #expect(c.namespace == "namespace2")
        #expect(c.proxyURL == "socks5://example2:8888")
        #expect(c.tls.insecureSkipVerify)
        #expect(c.tls.certificateAuthority == .data(Array("CADATA2".utf8)))
        #expect(c.tls.clientCertificate == .data(Array("USER2_CADATA".utf8)))
        #expect(c.tls.clientKey == .data(Array("USER2_CKDATA".utf8)))
        #expect(c.authorization == nil)
        #expect(c.origin == "kubeconfig context context2")
    }

    @Test func javascriptClientFixtureNamedContexts() throws {
        let config = try Kubeconfig.parse(try Fixtures.text("kubeconfig/kubeconfig.javascript-client-testdata.yaml"))
        let passwd = try config.connection(context: "passwd")
        guard case .basic(let user, let password)? = passwd.authorization else { Issue.record("expected basic auth"); return }
        #expect(user == "foo" && password == "bar")
        #expect(!"\(passwd.authorization!)".contains("bar"))
        let first = try config.connection(context: "context1")
        #expect(first.proxyURL == "socks5://localhost:1181")
        #expect(!first.tls.insecureSkipVerify)
        #expect(throws: ClusterReadError(.configuration, "context \"nope\" not found (contexts: context1, context2, passwd)")) {
            try config.connection(context: "nope")
        }
    }

    @Test func csharpClientFixture() throws {
        let config = try Kubeconfig.parse(try Fixtures.text("kubeconfig/kubeconfig.csharp-client-tests.yml"), baseDirectory: "/home/me/.kube")
        let federal = try config.connection()
        #expect(federal.server == "https://horse.org:4443")
        #expect(federal.namespace == "chisel-ns")
        #expect(federal.tls.certificateAuthority == .file("/home/me/.kube/assets/ca.crt"))
        #expect(federal.tls.clientCertificate == .file("/home/me/.kube/assets/client.crt"))
        #expect(federal.tls.clientKey == .file("/home/me/.kube/assets/client.key"))
        let queen = try config.connection(context: "queen-anne-context")
        #expect(queen.tls.insecureSkipVerify)
        guard case .bearer(let token)? = queen.authorization else { Issue.record("expected a token"); return }
        #expect(token == "black-token")
        let victorian = try config.connection(context: "victorian-context")
        guard case .data(let ca)? = victorian.tls.certificateAuthority, case .data(let key)? = victorian.tls.clientKey else {
            Issue.record("expected inline CA and key"); return
        }
        #expect(String(decoding: ca, as: UTF8.self).hasPrefix("-----BEGIN CERTIFICATE-----"))
        #expect(String(decoding: key, as: UTF8.self).contains("REDACTED-BY-FIXTURE-COLLECTOR"))
    }

    @Test func badInputNamesTheProblem() throws {
        #expect(throws: ClusterReadError(.configuration, "kubeconfig must be a YAML mapping")) { try Kubeconfig.parse("- a\n- b\n") }
        #expect(throws: ClusterReadError(.configuration, "cluster \"x\": certificate-authority-data is not valid base64")) {
            try Kubeconfig.parse("clusters:\n- name: x\n  cluster:\n    server: https://a\n    certificate-authority-data: '***'\n")
        }
        #expect(throws: ClusterReadError(.configuration, "kubeconfig has no current-context; name one (contexts: )")) { try Kubeconfig.parse("kind: Config\n").connection() }
        #expect(throws: ClusterReadError.self) { try Kubeconfig.load(path: "/nonexistent/kubeconfig") }
    }

    @Test func tokenFileAndInCluster() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("kc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "sa-token\n".write(to: dir.appendingPathComponent("token"), atomically: true, encoding: .utf8)
        try "meme-generator".write(to: dir.appendingPathComponent("namespace"), atomically: true, encoding: .utf8)
        try "PEM".write(to: dir.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        let yaml = """
        current-context: c
        clusters: [{name: k, cluster: {server: "https://10.0.0.1:6443"}}]
        users: [{name: u, user: {tokenFile: token}}]
        contexts: [{name: c, context: {cluster: k, user: u}}]
        """
        let viaFile = try Kubeconfig.parse(yaml, baseDirectory: dir.path).connection()
        guard case .bearer(let token)? = viaFile.authorization else { Issue.record("expected token"); return }
        #expect(token == "sa-token")

        let inCluster = try KubernetesConnection.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: dir.path)
        #expect(inCluster.server == "https://10.96.0.1:443")
        #expect(inCluster.namespace == "meme-generator")
        #expect(inCluster.tls.certificateAuthority == .file(dir.appendingPathComponent("ca.crt").path))
        #expect(throws: ClusterReadError.self) { try KubernetesConnection.inCluster(environment: [:], directory: dir.path) }
        #expect(try KubernetesConnection.proxy("http://127.0.0.1:8001/").server == "http://127.0.0.1:8001")
        #expect(throws: ClusterReadError.self) { try KubernetesConnection.proxy("127.0.0.1:8001") }
    }
}
