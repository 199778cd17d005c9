from flarewatch.cli.main import app

app()
