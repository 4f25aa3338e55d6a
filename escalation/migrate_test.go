package escalation_test

import "mutual/migrations"

var migrationsUp = migrations.Up
