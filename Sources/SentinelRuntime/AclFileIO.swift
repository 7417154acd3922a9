import SentinelCore

/// The ACL file on disk: reads it, and replaces it the way Redis's ACLSaveToFile does (a
/// temporary file written next to it, then renamed over it). Runs off the event loop.
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

    /// Replaces the file atomically (ConfigFile's temporary file, fsync, rename, directory fsync),
    /// as Redis's ACLSaveToFile does; nil or the error text.
    static func write(_ content: String, to path: String) -> String? {
        do {
            try ConfigFile.replaceAtomically(path: path, content: Array(content.utf8), seams: ConfigFile.Seams())
            return nil
        } catch {
            return error.reason
        }
    }
}
