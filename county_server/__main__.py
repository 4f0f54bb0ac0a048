from county_server.cli import main

raise SystemExit(main())
