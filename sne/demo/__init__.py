"""The demonstration data of the API contract (`seed_demo`): desks, accounts and demandes in
every state, so that a newcomer can log in a minute after `make run`. At the top of the
layers: it uses the services of every app, and nothing imports it."""
