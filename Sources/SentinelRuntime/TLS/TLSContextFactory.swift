//===----------------------------------------------------------------------===//
// swift-sentinel — TLS contexts from the tls-* directives
//===----------------------------------------------------------------------===//

import NIOSSL
import SentinelCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A TLS setting that cannot be used: a missing or unreadable file, a certificate or key that
/// does not parse, a key that does not match its certificate, a wrong passphrase, or a value the
/// TLS library cannot honour. The text names the file and the directive, in the manner of
/// Redis's `Failed to load certificate: <file>: <reason>`.
package struct TLSSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The directive at fault (`tls-cert-file`, ...).
    package var directive: String
    /// The file at fault, when it is about a file.
    package var path: String?
    package var message: String

    package init(directive: String, path: String? = nil, message: String) {
        self.directive = directive
        self.path = path
        self.message = message
    }

    package var description: String { message }

    /// What Redis logs after any of these (then it exits 1).
    package static let summary = "Failed to configure TLS. Check logs for more info."
}

/// The two contexts the runtime uses: one for the `tls-port` listener, one for outgoing links
/// when `tls-replication yes`. Each is nil when not needed. NIOSSL contexts are thread-safe and
/// shared by every connection that starts while they are current.
package struct TLSContexts: Sendable {
    package var server: NIOSSLContext?
    package var client: NIOSSLContext?
    /// The settings these were built from.
    package var settings: TLSSettings

    package init(server: NIOSSLContext?, client: NIOSSLContext?, settings: TLSSettings) {
        self.server = server
        self.client = client
        self.settings = settings
    }

    /// No TLS at all.
    package static let none = TLSContexts(server: nil, client: nil, settings: TLSSettings())
}

/// Builds ``TLSContexts`` from ``TLSSettings``, reading the certificate, key and CA files
/// (Redis's `tlsConfigure`). Blocking file I/O: called at startup, by `--check-config`, and for
/// `SENTINEL CONFIG SET tls-*` on the runtime's TLS thread pool (`.prepareTLS`), never on the
/// event loop while it serves and never per connection.
package enum TLSContextFactory {
    /// Builds the contexts the settings call for: a server context when `tls-port` is set, a
    /// client context when `tls-replication yes`; none when TLS is off.
    ///
    /// - Throws: ``TLSSetupError`` naming the file and directive at fault.
    package static func make(_ settings: TLSSettings) throws(TLSSetupError) -> TLSContexts {
        guard settings.isEnabled else { return TLSContexts(server: nil, client: nil, settings: settings) }
        let range = try checkedProtocols(settings)
        if let error = TLSRestrictions.checkCiphers(settings.ciphers) {
            throw TLSSetupError(directive: error.directive, message: error.message)
        }
        if let error = TLSRestrictions.checkCiphersuites(settings.ciphersuites) {
            throw TLSSetupError(directive: error.directive, message: error.message)
        }
        // Redis: the server certificate and key are required whenever TLS is configured.
        guard let certFile = settings.certFile else {
            throw TLSSetupError(directive: "tls-cert-file", message: "No tls-cert-file configured!")
        }
        guard let keyFile = settings.keyFile else {
            throw TLSSetupError(directive: "tls-key-file", message: "No tls-key-file configured!")
        }
        let needsCA = settings.replication || settings.authClients != .no
        if needsCA && settings.caCertFile == nil && settings.caCertDir == nil {
            throw TLSSetupError(
                directive: "tls-ca-cert-file",
                message:
                    "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"
            )
        }
        let serverIdentity = try loadIdentity(
            certFile: certFile, certDirective: "tls-cert-file", keyFile: keyFile, keyDirective: "tls-key-file",
            passphrase: settings.keyFilePass, passDirective: "tls-key-file-pass")
        var clientIdentity = serverIdentity
        if let clientCert = settings.clientCertFile, let clientKey = settings.clientKeyFile {
            clientIdentity = try loadIdentity(
                certFile: clientCert, certDirective: "tls-client-cert-file", keyFile: clientKey,
                keyDirective: "tls-client-key-file", passphrase: settings.clientKeyFilePass,
                passDirective: "tls-client-key-file-pass")
        }
        let roots = try trustRoots(settings)
        if let dhFile = settings.dhParamsFile {
            // BoringSSL has no DHE suites, so the parameters are never used; Redis still fails on
            // a file it cannot read, and so do we.
            _ = try readFile(dhFile, directive: "tls-dh-params-file", what: "Failed to load")
        }

        var common = TLSConfiguration.makeServerConfiguration(
            certificateChain: serverIdentity.chain.map { .certificate($0) }, privateKey: .privateKey(serverIdentity.key))
        common.minimumTLSVersion = nioVersion(range.lowerBound)
        common.maximumTLSVersion = nioVersion(range.upperBound)
        if let ciphers = settings.ciphers { common.cipherSuites = ciphers }

        var server: NIOSSLContext? = nil
        if settings.port != 0 {
            var configuration = common
            if let roots {
                configuration.trustRoots = roots.primary
                configuration.additionalTrustRoots = roots.additional
            }
            switch settings.authClients {
            case .yes: configuration.certificateVerification = .noHostnameVerification
            case .optional: configuration.certificateVerification = .optionalVerification
            case .no: configuration.certificateVerification = .none
            }
            server = try context(configuration, identity: serverIdentity)
        }
        var client: NIOSSLContext? = nil
        if settings.replication {
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.minimumTLSVersion = common.minimumTLSVersion
            configuration.maximumTLSVersion = common.maximumTLSVersion
            configuration.cipherSuites = common.cipherSuites
            // Redis checks the peer's chain against the CA but never a host name.
            configuration.certificateVerification = .noHostnameVerification
            if let roots {
                configuration.trustRoots = roots.primary
                configuration.additionalTrustRoots = roots.additional
            }
            configuration.certificateChain = clientIdentity.chain.map { .certificate($0) }
            configuration.privateKey = .privateKey(clientIdentity.key)
            client = try context(configuration, identity: clientIdentity)
        }
        return TLSContexts(server: server, client: client, settings: settings)
    }

    /// Checks the settings as ``make(_:)`` does, for `--check-config`.
    /// Returns nil or the error text.
    package static func problem(_ settings: TLSSettings) -> String? {
        do {
            _ = try make(settings)
            return nil
        } catch {
            return error.message
        }
    }

    // MARK: - Pieces

    struct Identity {
        var chain: [NIOSSLCertificate]
        var key: NIOSSLPrivateKey
        var certFile: String
        var certDirective: String
        var keyFile: String
        var keyDirective: String
    }

    static func checkedProtocols(_ settings: TLSSettings) throws(TLSSetupError) -> ClosedRange<TLSProtocolVersion> {
        switch TLSRestrictions.protocolRange(settings.protocols) {
        case .success(let range): return range
        case .failure(let error): throw TLSSetupError(directive: error.directive, message: error.message)
        }
    }

    static func nioVersion(_ version: TLSProtocolVersion) -> TLSVersion {
        switch version {
        case .tlsv1: .tlsv1
        case .tlsv1_1: .tlsv11
        case .tlsv1_2: .tlsv12
        case .tlsv1_3: .tlsv13
        }
    }

    /// The whole content of a file (at most 16 MiB), or an error naming it with the system's reason.
    static func readFile(_ path: String, directive: String, what: String) throws(TLSSetupError) -> [UInt8] {
        let reason: String
        do {
            if let bytes = try ConfigFile.readBytes(path: path, limit: 16 * 1024 * 1024) { return bytes }
            reason = ConfigFile.errorText(ENOENT)
        } catch {
            reason = error.reason
        }
        throw TLSSetupError(directive: directive, path: path, message: "\(what): \(path) (\(directive)): \(reason)")
    }

    static func loadCertificates(_ path: String, directive: String, what: String) throws(TLSSetupError) -> [NIOSSLCertificate] {
        let bytes = try readFile(path, directive: directive, what: what)
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw TLSSetupError(
                directive: directive, path: path, message: "\(what): \(path) (\(directive)): not a PEM certificate (\(error))")
        }
        guard !chain.isEmpty else {
            throw TLSSetupError(
                directive: directive, path: path, message: "\(what): \(path) (\(directive)): no certificate in the file")
        }
        return chain
    }

    static func loadIdentity(
        certFile: String, certDirective: String, keyFile: String, keyDirective: String, passphrase: String?,
        passDirective: String
    ) throws(TLSSetupError) -> Identity {
        let chain = try loadCertificates(certFile, directive: certDirective, what: "Failed to load certificate")
        let keyBytes = try readFile(keyFile, directive: keyDirective, what: "Failed to load private key")
        let encrypted = String(decoding: keyBytes.prefix(4096), as: UTF8.self).contains("ENCRYPTED")
        let key: NIOSSLPrivateKey
        do {
            // Always a callback: without one BoringSSL would prompt on stdin for an encrypted key.
            let pass = Array((passphrase ?? "").utf8)
            key = try NIOSSLPrivateKey(bytes: keyBytes, format: .pem) { (setter: NIOSSLPassphraseSetter<[UInt8]>) in
                setter(pass)
            }
        } catch {
            let reason =
                encrypted
                ? (passphrase == nil
                    ? "the key is encrypted and \(passDirective) is not set"
                    : "wrong passphrase (\(passDirective))")
                : "not a PEM private key (\(error))"
            throw TLSSetupError(
                directive: encrypted ? passDirective : keyDirective, path: keyFile,
                message: "Failed to load private key: \(keyFile) (\(keyDirective)): \(reason)")
        }
        // The key must belong to the leaf certificate; BoringSSL checks it when both are installed.
        var probe = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        probe.certificateVerification = .none
        do {
            _ = try NIOSSLContext(configuration: probe)
        } catch {
            throw TLSSetupError(
                directive: keyDirective, path: keyFile,
                message:
                    "Failed to load private key: \(keyFile) (\(keyDirective)): the key does not match the certificate \(certFile) (\(certDirective))"
            )
        }
        return Identity(
            chain: chain, key: key, certFile: certFile, certDirective: certDirective, keyFile: keyFile,
            keyDirective: keyDirective)
    }

    struct Roots {
        var primary: NIOSSLTrustRoots
        var additional: [NIOSSLAdditionalTrustRoots]
    }

    /// `tls-ca-cert-file` (read and parsed here) and/or `tls-ca-cert-dir` (a hashed directory, as
    /// OpenSSL's; checked to exist here, its files are read by BoringSSL during verification).
    static func trustRoots(_ settings: TLSSettings) throws(TLSSetupError) -> Roots? {
        let what = "Failed to configure CA certificate(s) file/directory"
        var fileCerts: [NIOSSLCertificate]? = nil
        if let file = settings.caCertFile {
            fileCerts = try loadCertificates(file, directive: "tls-ca-cert-file", what: what)
        }
        if let dir = settings.caCertDir {
            guard let handle = opendir(dir) else {
                throw TLSSetupError(
                    directive: "tls-ca-cert-dir", path: dir,
                    message: "\(what): \(dir) (tls-ca-cert-dir): \(String(cString: strerror(errno)))")
            }
            closedir(handle)
            return Roots(primary: .file(dir), additional: fileCerts.map { [.certificates($0)] } ?? [])
        }
        return fileCerts.map { Roots(primary: .certificates($0), additional: []) }
    }

    static func context(_ configuration: TLSConfiguration, identity: Identity) throws(TLSSetupError) -> NIOSSLContext {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSSetupError(
                directive: identity.certDirective, path: identity.certFile,
                message: "Failed to create the TLS context for \(identity.certFile) (\(identity.certDirective)): \(error)")
        }
    }
}
