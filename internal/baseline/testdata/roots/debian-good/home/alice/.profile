# alice
