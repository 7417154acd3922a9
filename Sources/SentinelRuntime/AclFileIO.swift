#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import SentinelCore

/// The ACL file on disk: reads it, and replaces it the way Redis's ACLSaveToFile does (a
/// `<file>.tmp-<pid>-<ms>` file written next to it, then renamed over it).
package enum AclFileIO {
    /// Runs one ``AclFile/Operation`` and returns the event that reports it.
    package static func perform(_ operation: AclFile.Operation, token: Int) -> Event {
        switch operation {
        case .read(let path):
            do {
                return .aclFileDone(token: token, text: try ConfigFile.read(path: path), error: nil)
            } catch {
                return .aclFileDone(token: token, text: nil, error: error.reason)
            }
        case .write(let path, let content):
            return .aclFileDone(token: token, text: nil, error: write(content, to: path))
        }
    }

    /// Redis's ACLLoadUsersAtStartup: the users of the file, or why it stops startup (Redis's
    /// "Error loading ACLs, opening file" text, or the first rule error with file:line).
    package static func loadUsersAtStartup(path: String) -> Result<[AclUserDefinition], AclFileError> {
        let text: String
        do {
            text = try ConfigFile.read(path: path)
        } catch {
            return .failure(AclFileError(message: Sentinel.aclOpenError(path, error.reason)))
        }
        return AclFile.parse(text, fileName: path)
    }

    /// Writes `content` to a temporary file and renames it over `path`; nil or the error text.
    static func write(_ content: String, to path: String) -> String? {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let temp = "\(path).tmp-\(getpid())-\(Int(ts.tv_sec) * 1000 + Int(ts.tv_nsec) / 1_000_000)"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        let bytes = Array(content.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written != bytes.count {
            let reason = String(cString: strerror(errno))
            close(fd)
            unlink(temp)
            return reason
        }
        fsync(fd)
        close(fd)
        if rename(temp, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            return reason
        }
        return nil
    }
}
