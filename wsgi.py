from matcher import create_app

app = create_app()
