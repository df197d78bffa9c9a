from citecheck.cli import main

if __name__ == "__main__":  # importing the module (a tool, a worker process) runs nothing
    main()
