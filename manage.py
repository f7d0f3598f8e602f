#!/usr/bin/env python
from lifeline.__main__ import main

if __name__ == "__main__":
    main()
