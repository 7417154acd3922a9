//===----------------------------------------------------------------------===//
// swift-sentinel — relative tls-* paths for --check-config
//===----------------------------------------------------------------------===//

import SentinelCore

extension TLSSettings {
    /// The settings with every relative file and directory path put under `dir`: the sentinel
    /// reads them after its chdir to `dir`, so `--check-config` (which does not chdir) must look
    /// there too. Absolute paths, and all paths when `dir` is nil or empty, stay as they are.
    package func resolvingRelativePaths(against dir: String?) -> TLSSettings {
        guard let dir, !dir.isEmpty else { return self }
        func resolve(_ path: String?) -> String? {
            path.map { ConfigFile.fromDir($0, dir) }
        }
        var settings = self
        settings.certFile = resolve(certFile)
        settings.keyFile = resolve(keyFile)
        settings.clientCertFile = resolve(clientCertFile)
        settings.clientKeyFile = resolve(clientKeyFile)
        settings.caCertFile = resolve(caCertFile)
        settings.caCertDir = resolve(caCertDir)
        settings.dhParamsFile = resolve(dhParamsFile)
        return settings
    }
}
