from specbuild.cli.app import run

run()
