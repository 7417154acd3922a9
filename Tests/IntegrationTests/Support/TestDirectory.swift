import Foundation

/// A test's own scratch directory: `<tmp>/sentinel-<name>-<random>`, created empty. The test
/// removes it when it ends (`defer { TestDirectory.remove(directory) }`).
enum TestDirectory {
    static func make(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("sentinel-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    static func remove(_ directory: URL) {
        try? FileManager.default.removeItem(at: directory)
    }
}
