import RackFocusCLI
import RackFocusStudioCLI

StudioCommand.main(RackFocusCommand.joiningSignedValues(Array(CommandLine.arguments.dropFirst())))
