import Foundation

/// A farm job as the job files of engines RackFocus does not drive itself: an Open Job
/// Description template (AWS Deadline Cloud, `openjd run`), Deadline 10 job and plugin info files
/// for its CommandLine plugin, and an OpenCue job spec. Each runs the same chunk commands as
/// `farm submit`: one executable with plain arguments (the engine's frame placeholders in the
/// `--frames` value), then the assemble step once every chunk has succeeded.
package enum FarmExport {
    /// The Open Job Description template (`jobtemplate-2023-09`): a Render step with one task per
    /// chunk (a STRING task parameter holding each chunk's frames) and an Assemble step that
    /// depends on it.
    package static func openJD(_ job: FarmJob) throws -> String {
        for word in job.renderCommand(frames: "") + job.assembleCommand where word.contains("{{") {
            throw ShotError(
                .options, "\"\(word)\" holds {{, which Open Job Description reads as a format string; rename it")
        }
        func list(_ words: [String]) -> String { "[" + words.map(quoted).joined(separator: ", ") + "]" }
        let render = job.renderCommand(frames: "{{Task.Param.Frames}}")
        let assemble = job.assembleCommand
        let ranges = job.chunks.map { "\($0.lowerBound)-\($0.upperBound)" }
        return """
            specificationVersion: jobtemplate-2023-09
            name: \(quoted("rackfocus \(job.name)"))
            description: \(quoted("\(job.frameCount) frames in chunks of \(job.chunkSize), then assembled into \(job.output)"))
            steps:
            - name: Render
              parameterSpace:
                taskParameterDefinitions:
                - name: Frames
                  type: STRING
                  range: \(list(ranges))
              script:
                actions:
                  onRun:
                    command: \(quoted(render[0]))
                    args: \(list(Array(render.dropFirst())))
            - name: Assemble
              dependencies:
              - dependsOn: Render
              script:
                actions:
                  onRun:
                    command: \(quoted(assemble[0]))
                    args: \(list(Array(assemble.dropFirst())))

            """
    }

    /// Deadline 10 files, by name: the render job (CommandLine plugin, `<STARTFRAME>-<ENDFRAME>`)
    /// and the assemble job, submitted together so the second depends on the first:
    /// `deadlinecommand -SubmitMultipleJobs -dependent -job render.job render.plugin -job assemble.job assemble.plugin`.
    package static func deadline(_ job: FarmJob) -> [(name: String, text: String)] {
        func arguments(_ words: [String]) -> String {
            words.map { w in
                w.contains(where: { $0 == " " || $0 == "\"" || $0 == "\t" })
                    ? "\"" + w.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : w
            }.joined(separator: " ")
        }
        let render = job.renderCommand(frames: "<STARTFRAME>-<ENDFRAME>")
        let assemble = job.assembleCommand
        let renderJob = [
            "Plugin=CommandLine", "Name=rackfocus \(job.name)", "Comment=rackfocus farm: render in chunks",
            "Frames=0-\(job.frameCount - 1)", "ChunkSize=\(job.chunkSize)",
            "OutputDirectory0=\((job.sequence as NSString).deletingLastPathComponent)",
        ]
        let assembleJob = [
            "Plugin=CommandLine", "Name=rackfocus \(job.name) (assemble)", "Comment=rackfocus farm: assemble",
            "Frames=0", "ChunkSize=1", "OutputDirectory0=\((job.output as NSString).deletingLastPathComponent)",
        ]
        func plugin(_ words: [String]) -> [String] {
            [
                "Executable=\(words[0])", "Arguments=\(arguments(Array(words.dropFirst())))", "ShellExecute=False",
                "StartupDirectory=\(job.work)",
            ]
        }
        return [
            ("render.job", renderJob.joined(separator: "\n") + "\n"),
            ("render.plugin", plugin(render).joined(separator: "\n") + "\n"),
            ("assemble.job", assembleJob.joined(separator: "\n") + "\n"),
            ("assemble.plugin", plugin(assemble).joined(separator: "\n") + "\n"),
        ]
    }

    /// An OpenCue job spec (cjsl 1.13): a render layer chunked by `#FRAME_START#`/`#FRAME_END#`
    /// and an assemble layer depending on it.
    package static func openCue(_ job: FarmJob, user: String = NSUserName()) -> String {
        func xml(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let render = job.renderCommand(frames: "@FRAMES@").map(shellWord).joined(separator: " ")
            .replacingOccurrences(of: "@FRAMES@", with: "#FRAME_START#-#FRAME_END#")
        let assemble = job.assembleCommand.map(shellWord).joined(separator: " ")
        let name = "rackfocus-" + job.name.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return """
            <?xml version="1.0"?>
            <!DOCTYPE spec PUBLIC "SPI Cue Specification Language" "http://localhost:8080/spcue/dtd/cjsl-1.13.dtd">
            <spec>
              <facility>local</facility>
              <show>rackfocus</show>
              <shot>\(xml(job.name))</shot>
              <user>\(xml(user))</user>
              <job name="\(xml(name))">
                <paused>False</paused>
                <maxretries>2</maxretries>
                <autoeat>False</autoeat>
                <env/>
                <layers>
                  <layer name="render" type="Render">
                    <cmd>\(xml(render))</cmd>
                    <range>0-\(job.frameCount - 1)</range>
                    <chunk>\(job.chunkSize)</chunk>
                    <services><service>shell</service></services>
                  </layer>
                  <layer name="assemble" type="Render">
                    <cmd>\(xml(assemble))</cmd>
                    <range>0</range>
                    <chunk>1</chunk>
                    <services><service>shell</service></services>
                  </layer>
                </layers>
              </job>
              <depends>
                <depend type="LAYER_ON_LAYER" anyframe="False">
                  <depjob>\(xml(name))</depjob>
                  <deplayer>assemble</deplayer>
                  <onjob>\(xml(name))</onjob>
                  <onlayer>render</onlayer>
                </depend>
              </depends>
            </spec>

            """
    }

    /// A YAML double-quoted scalar (JSON's escaping, which YAML reads the same).
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
