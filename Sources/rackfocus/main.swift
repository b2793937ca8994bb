import RackFocusCLI

HugePages.startWithHugePages()
RackFocusCommand.main(RackFocusCommand.joiningSignedValues(Array(CommandLine.arguments.dropFirst())))
