from graph.cli.main import entry

entry()
