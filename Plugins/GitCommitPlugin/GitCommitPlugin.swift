//===----------------------------------------------------------------------===//
// swift-sentinel — build-tool plugin: the git commit the binary was built from
//===----------------------------------------------------------------------===//

import Foundation
import PackagePlugin

/// Writes `GitCommit.swift` (`enum GitCommit { static let sha1, dirty }`) into the target's
/// sources at every build, from the package's own checkout, so that `--version` and `INFO
/// server` name the commit the binary was built from (Redis does the same with `mkreleasehdr.sh`
/// and `release.h`).
///
/// A prebuild command, because the commit can change without any file SwiftPM tracks changing.
/// It runs `/bin/sh` (a prebuild command may not run a tool built from this package), which runs
/// `git rev-parse HEAD` and `git status --porcelain` in the package directory and rewrites the
/// file only when its text changes, so an unchanged tree recompiles nothing. Without a `.git` in
/// the package directory (a source tarball) or without git, the commit is `00000000`, as in
/// Debian's Redis build.
@main
struct GitCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "GitCommit")
        return [
            .prebuildCommand(
                displayName: "Recording the git commit of \(context.package.directoryURL.path)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: ["-c", Self.script, "git-commit", context.package.directoryURL.path, output.path],
                outputFilesDirectory: output
            )
        ]
    }

    /// `$1`: the package directory; `$2`: the output directory. The script is
    /// scripts/lib/git-commit.sh, which scripts/package also runs.
    static let script = #"""
        . "$1/scripts/lib/git-commit.sh"
        """#
}
