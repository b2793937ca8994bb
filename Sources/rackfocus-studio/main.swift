import RackFocusCLI
import RackFocusStudioCLI

HugePages.startWithHugePages()
StudioCommand.main(RackFocusCommand.joiningSignedValues(Array(CommandLine.arguments.dropFirst())))
