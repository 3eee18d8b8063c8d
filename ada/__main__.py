from ada.cli import main

main()
