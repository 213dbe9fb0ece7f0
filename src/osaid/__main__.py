from osaid.cli import main

raise SystemExit(main())
