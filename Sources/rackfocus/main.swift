import RackFocusCLI

RackFocusCommand.main(RackFocusCommand.joiningSignedValues(Array(CommandLine.arguments.dropFirst())))
