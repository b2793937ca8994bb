import RackFocusCLI

RackFocusCommand.main()
