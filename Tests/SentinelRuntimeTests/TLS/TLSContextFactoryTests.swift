import Foundation
import NIOSSL
import SentinelCore
import Testing

@testable import SentinelRuntime

/// Context building from the `tls-*` settings, and every startup error naming its file and
/// directive (Redis: `Failed to load certificate: <file>: <reason>`, then exit 1).
@Suite("TLS contexts")
struct TLSContextFactoryTests {
    let files = TLSTestFiles.shared

    func problem(_ change: (inout TLSSettings) -> Void) -> String? {
        var settings = files.settings(port: 16_379, replication: true)
        change(&settings)
        return TLSContextFactory.problem(settings)
    }

    /// TLS off: no contexts, no files read. tls-port only: a server context; tls-replication:
    /// a client context too (built from the server cert when no client cert is set).
    @Test func contextsFollowTheSettings() throws {
        let off = try TLSContextFactory.make(TLSSettings())
        #expect(off.server == nil && off.client == nil)
        let listener = try TLSContextFactory.make(files.settings(port: 16_379))
        #expect(listener.server != nil && listener.client == nil)
        let both = try TLSContextFactory.make(files.settings(port: 16_379, replication: true))
        #expect(both.server != nil && both.client != nil)
        var linksOnly = files.settings(port: 0, replication: true)
        linksOnly.clientCertFile = files.clientCert
        linksOnly.clientKeyFile = files.clientKey
        let client = try TLSContextFactory.make(linksOnly)
        #expect(client.server == nil && client.client != nil)
        #expect(client.client?.configuration.certificateVerification == .noHostnameVerification)
    }

    /// tls-auth-clients yes|optional|no map to required, optional and no client certificates.
    @Test func clientAuthenticationModes() throws {
        var settings = files.settings(port: 16_379)
        settings.authClients = .yes
        #expect(try TLSContextFactory.make(settings).server?.configuration.certificateVerification == .noHostnameVerification)
        settings.authClients = .optional
        #expect(try TLSContextFactory.make(settings).server?.configuration.certificateVerification == .optionalVerification)
        settings.authClients = .no
        settings.caCertFile = nil
        #expect(try TLSContextFactory.make(settings).server?.configuration.certificateVerification == CertificateVerification.none)
    }

    /// tls-protocols become the context's minimum and maximum versions.
    @Test func protocolsBecomeTheVersionRange() throws {
        var settings = files.settings(port: 16_379)
        settings.protocols = "TLSv1.2"
        let server = try #require(try TLSContextFactory.make(settings).server)
        #expect(server.configuration.minimumTLSVersion == .tlsv12)
        #expect(server.configuration.maximumTLSVersion == .tlsv12)
    }

    @Test func missingCertificateNamesTheFile() {
        let message = problem { $0.certFile = files.dir + "/missing.crt" }
        #expect(message == "Failed to load certificate: \(files.dir)/missing.crt (tls-cert-file): No such file or directory")
    }

    @Test func unparsableCertificateNamesTheFile() throws {
        let message = try #require(problem { $0.certFile = files.garbage })
        #expect(message.hasPrefix("Failed to load certificate: \(files.garbage) (tls-cert-file): "))
    }

    /// A file that never ends (a device named by mistake) is refused after 16 MiB, naming it,
    /// instead of being read until the memory runs out.
    @Test func endlessFileIsRefusedAsTooLarge() {
        let message = problem { $0.certFile = "/dev/zero" }
        #expect(message == "Failed to load certificate: /dev/zero (tls-cert-file): file too large")
    }

    @Test func missingKeyNamesTheFile() {
        let message = problem { $0.keyFile = files.dir + "/missing.key" }
        #expect(message == "Failed to load private key: \(files.dir)/missing.key (tls-key-file): No such file or directory")
    }

    @Test func keyThatDoesNotMatchTheCertificate() {
        let message = problem { $0.keyFile = files.strayKey }
        #expect(
            message
                == "Failed to load private key: \(files.strayKey) (tls-key-file): the key does not match the certificate \(files.serverCert) (tls-cert-file)"
        )
    }

    @Test func encryptedKeyNeedsItsPassphrase() throws {
        #expect(
            problem { $0.keyFile = files.encryptedKey }
                == "Failed to load private key: \(files.encryptedKey) (tls-key-file): the key is encrypted and tls-key-file-pass is not set"
        )
        #expect(
            problem {
                $0.keyFile = files.encryptedKey
                $0.keyFilePass = "wrong"
            } == "Failed to load private key: \(files.encryptedKey) (tls-key-file): wrong passphrase (tls-key-file-pass)")
        #expect(
            problem {
                $0.keyFile = files.encryptedKey
                $0.keyFilePass = "secret"
            } == nil)
    }

    @Test func clientCertificateErrorsNameTheClientDirectives() {
        #expect(
            problem {
                $0.clientCertFile = files.dir + "/nope.crt"
                $0.clientKeyFile = files.clientKey
            } == "Failed to load certificate: \(files.dir)/nope.crt (tls-client-cert-file): No such file or directory")
        #expect(
            problem {
                $0.clientCertFile = files.clientCert
                $0.clientKeyFile = files.serverKey
            }
                == "Failed to load private key: \(files.serverKey) (tls-client-key-file): the key does not match the certificate \(files.clientCert) (tls-client-cert-file)"
        )
    }

    @Test func caFileAndDirectoryErrors() {
        #expect(
            problem { $0.caCertFile = files.dir + "/noca.crt" }
                == "Failed to configure CA certificate(s) file/directory: \(files.dir)/noca.crt (tls-ca-cert-file): No such file or directory"
        )
        #expect(
            problem {
                $0.caCertFile = nil
                $0.caCertDir = files.dir + "/nodir"
            }
                == "Failed to configure CA certificate(s) file/directory: \(files.dir)/nodir (tls-ca-cert-dir): No such file or directory"
        )
        #expect(
            problem { $0.caCertFile = nil }
                == "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"
        )
        #expect(problem { $0.certFile = nil } == "No tls-cert-file configured!")
        #expect(problem { $0.keyFile = nil } == "No tls-key-file configured!")
        #expect(
            problem { $0.dhParamsFile = files.dir + "/dh.pem" }
                == "Failed to load: \(files.dir)/dh.pem (tls-dh-params-file): No such file or directory")
    }

    /// Values BoringSSL cannot honour are refused before NIOSSL sees them (it would stop the
    /// process on a cipher list BoringSSL rejects).
    @Test func impossibleRestrictionsAreRefused() throws {
        #expect(try #require(problem { $0.protocols = "TLSv1 TLSv1.3" }).contains("contiguous range"))
        #expect(problem { $0.protocols = "TLSv9" } == TLSRestrictions.invalidProtocols)
        #expect(try #require(problem { $0.ciphers = "!ALL" }).hasPrefix("Failed to configure ciphers: !ALL"))
        #expect(try #require(problem { $0.ciphersuites = "TLS_AES_256_GCM_SHA384" }).contains("cannot restrict TLS 1.3"))
        #expect(problem { $0.ciphers = "ECDHE-RSA-AES256-GCM-SHA384:DEFAULT:!MEDIUM" } == nil)
    }

    /// `--check-config` reads relative tls-* paths under `dir`, as the sentinel does after its chdir.
    @Test func checkConfigResolvesRelativePathsUnderDir() {
        func check(_ dir: String) -> (Int32, String) {
            let text = """
                dir \(dir)
                port 0
                tls-port 16380
                tls-cert-file server.crt
                tls-key-file server.key
                tls-ca-cert-file ca.crt
                """
            return Launcher.checkConfig(text: text, fileName: "s.conf", overrides: [])
        }
        #expect(check(files.dir) == (0, "configuration OK"))
        // A `dir` without the files (a missing `dir` stops loading earlier, at its line).
        let empty = files.dir + "/empty"
        try? FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let (status, output) = check(empty)
        #expect(status == 1)
        #expect(output.hasPrefix("Failed to load certificate: \(empty)/server.crt (tls-cert-file): No such file or directory"))
    }

    /// `--check-config` reports the same text and exits 1.
    @Test func checkConfigReportsTheFile() {
        let text = """
            port 0
            tls-port 16380
            tls-cert-file \(files.dir)/absent.crt
            tls-key-file \(files.serverKey)
            tls-ca-cert-file \(files.ca)
            sentinel monitor m 127.0.0.1 6379 2
            """
        let (status, output) = Launcher.checkConfig(text: text, fileName: "s.conf", overrides: [])
        #expect(status == 1)
        #expect(output.contains("Failed to load certificate: \(files.dir)/absent.crt (tls-cert-file): No such file or directory"))
        #expect(output.contains(TLSSetupError.summary))
    }
}
