from specbuild._entry import run

run()
