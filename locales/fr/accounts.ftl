# Connexion et compte, en français.
login-title = Se connecter
login-username = Nom
login-password = Mot de passe
login-wrong = Ce nom et ce mot de passe ne correspondent pas. Vérifiez-les et réessayez.
login-too-many = { $count ->
    [one] Trop de tentatives de connexion échouées. Attendez { $count } seconde, puis réessayez.
   *[other] Trop de tentatives de connexion échouées. Attendez { $count } secondes, puis réessayez.
}
login-forgot = Mot de passe oublié ? Demandez un nouveau lien de connexion à qui administre ce serveur : { $command }.
once-title = Choisissez votre mot de passe
once-for = Ce lien connecte { $name }.
once-expires = Il ne sert qu'une fois, jusqu'au { $date }.
once-submit = Enregistrer le mot de passe et se connecter
once-gone = Ce lien de connexion a expiré ou a déjà servi.
once-new-link = Qui administre ce serveur peut en créer un nouveau : { $command }.
password-new = Nouveau mot de passe
password-again = Le nouveau mot de passe, à nouveau
password-current = Mot de passe actuel
password-rule = { $count ->
    [one] Au moins { $count } caractère. Quelques mots font un bon mot de passe.
   *[other] Au moins { $count } caractères. Quelques mots font un bon mot de passe.
}
password-mismatch = Les deux nouveaux mots de passe diffèrent.
password-current-wrong = Le mot de passe actuel n'est pas le bon.
password-too-short = { $count ->
    [one] Un mot de passe compte au moins { $count } caractère.
   *[other] Un mot de passe compte au moins { $count } caractères.
}
password-too-long = { $count ->
    [one] Un mot de passe compte au plus { $count } caractère.
   *[other] Un mot de passe compte au plus { $count } caractères.
}
form-refused = Ce formulaire n'a pas pu être accepté : il a expiré, ou il a été envoyé depuis un autre site. Revenez en arrière, rechargez la page et envoyez-le à nouveau.
save = Enregistrer
me-title = Votre compte
me-handle = Votre identifiant : { $handle }.
me-public-page = Votre page publique
me-no-password = Vous n'avez pas encore de mot de passe : choisissez-en un ci-dessous pour pouvoir vous reconnecter.
me-communities = Vos communautés
me-no-communities = Vous n'avez encore de rôle dans aucune communauté.
me-profile = Profil
me-display-name = Nom affiché
me-bio = À propos de vous
me-bio-hint = { $count ->
    [one] Texte brut, { $count } caractère au plus. Affiché sur votre page publique et à vos abonné·es.
   *[other] Texte brut, { $count } caractères au plus. Affiché sur votre page publique et à vos abonné·es.
}
profile-name-too-long = { $count ->
    [one] Le nom affiché compte au plus { $count } caractère.
   *[other] Le nom affiché compte au plus { $count } caractères.
}
profile-bio-too-long = { $count ->
    [one] « À propos de vous » compte au plus { $count } caractère.
   *[other] « À propos de vous » compte au plus { $count } caractères.
}
me-password = Mot de passe
me-password-change = Changer le mot de passe
me-tokens = Jetons d'API
me-tokens-about = Un jeton permet à un programme d'agir en votre nom par l'API. Donnez à chacun un nom que vous reconnaîtrez, et révoquez ceux qui ne servent plus.
me-token-new = Votre nouveau jeton, affiché cette seule fois. Copiez-le maintenant :
me-no-tokens = Vous n'avez aucun jeton d'API.
me-token-label = Nom
me-token-created = Créé le
me-token-actions = Actions
me-token-unnamed = (sans nom)
me-token-revoke = Révoquer
me-token-create = Créer un jeton
me-sessions = Où vous êtes connecté·e
me-sessions-count = { $count ->
    [one] Vous êtes connecté·e sur { $count } navigateur.
   *[other] Vous êtes connecté·e sur { $count } navigateurs.
}
me-sessions-end = Se déconnecter partout ailleurs
done-signed-out = Vous êtes déconnecté·e.
done-password-set = Votre mot de passe est enregistré. Vous êtes connecté·e.
done-password-changed = Votre mot de passe est changé. Vos autres sessions sont déconnectées.
done-profile-saved = Votre profil est enregistré.
done-token-created = Le jeton est créé.
done-token-revoked = Le jeton est révoqué.
done-sessions-ended = Vos autres sessions sont déconnectées.
