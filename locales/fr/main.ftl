# L'interface des pages publiques, en français. Chaque message a son
# jumeau anglais dans locales/en/main.ftl.

## Mise en page
site-title = { $page } · { $site }
skip-to-content = Aller au contenu
nav-home = Accueil
footer-powered = Propulsé par peerpress, logiciel libre sous { $licence }.
footer-source = Code source
footer-language = Langue
home-title = Accueil
home-communities = Communautés
home-follow = suivre { $handle }

## Dates
date = { $day } { $month } { $year }
date-time = { $date } à { $time } UTC
month-1 = janvier
month-2 = février
month-3 = mars
month-4 = avril
month-5 = mai
month-6 = juin
month-7 = juillet
month-8 = août
month-9 = septembre
month-10 = octobre
month-11 = novembre
month-12 = décembre

## Listes d'articles
nothing-published = Rien de publié pour l'instant.
by-authors = Par { $authors }
in-community = dans { $community }
follow-from-fediverse = Suivre depuis Mastodon ou tout serveur du fédivers :
copy = Copier
copied = Copié
feeds = Flux :
feed-atom = { $title } (Atom)
feed-rss = { $title } (RSS)
feed-json = { $title } (JSON Feed)

## Page d'une communauté
community-about-default = Une communauté sur peerpress.
community-network-link = Réseau
community-network-what = ce qu'elle suit et partage
community-articles = Articles
community-announcements = Annonces
community-no-announcements = Aucune annonce.
community-about-charter = À propos et charte
community-licence = Les articles sont publiés ici sous { $licence }, sauf mention contraire dans l'article.
community-licence-free = Les articles sont publiés ici sous la licence choisie par leurs auteurs et autrices.
community-no-charter = Cette communauté n'a pas encore publié de charte.
community-log = Chaque décision figure dans le { $log } public.
community-log-link = journal de modération

## Politiques de commentaires
policy-held = Les commentaires venant d'autres serveurs sont affichés une fois approuvés par l'équipe de modération.
policy-followers = Les commentaires des abonné·es de la communauté sont affichés aussitôt ; les autres une fois approuvés par l'équipe de modération.
policy-open = Les commentaires sont affichés aussitôt, d'où qu'ils viennent ; l'équipe de modération peut les retirer.

## Page d'un article
announcement-of = Annonce du { $date }
updated-on = mis à jour le { $date }
licence-label = Licence :
language-label = Langue :
likes-count = { $count ->
    [one] { $count } mention J'aime
   *[other] { $count } mentions J'aime
}
shares-count = { $count ->
    [one] { $count } partage
   *[other] { $count } partages
}
comments-count = { $count ->
    [one] { $count } commentaire
   *[other] { $count } commentaires
}
comments = Commentaires
moderation-log = Journal de modération
no-comments = Pas encore de commentaire. Répondez depuis Mastodon ou tout serveur du fédivers pour commenter.
comment-someone = quelqu'un
comment-sensitive = Contenu sensible
attachment-image-no-alt = Une image ; son auteur ou autrice n'en a pas donné de description
attachment-file = Fichier joint
mentions = Mentions :
comment-pages = Pages de commentaires
comments-earlier = Commentaires précédents
comments-later = Commentaires suivants

## Licences
licence-CC0-1_0 = CC0 1.0 Universel
licence-CC-BY-4_0 = Creative Commons Attribution 4.0
licence-CC-BY-SA-4_0 = Creative Commons Attribution - Partage dans les mêmes conditions 4.0
licence-CC-BY-NC-SA-4_0 = Creative Commons Attribution - Pas d'utilisation commerciale - Partage dans les mêmes conditions 4.0
licence-GPL-3_0-or-later = Licence publique générale GNU v3.0 ou ultérieure
licence-peer-production = Licence de production entre pairs (Peer Production License)
licence-all-rights-reserved = Tous droits réservés

## Le fil du réseau
network-title = { $community } : réseau
network-intro = Ce que { $community } suit et partage depuis d'autres serveurs. Chaque contenu reste l'œuvre de ses auteurs et autrices, sous sa propre licence : ceux sous licence libre sont affichés en entier avec leur attribution, les autres par leur titre, leur résumé et un lien vers l'original.
network-empty = Rien pour l'instant. Les responsables et l'équipe éditoriale peuvent suivre d'autres communautés.
network-event = Événement
network-event-to = jusqu'au { $end }
network-poll = Un sondage : { $link }.
network-poll-link = votez sur son serveur d'origine
network-no-licence = Aucune licence indiquée : tous droits réservés
network-original = Original
network-read-at-origin = Lire sur son serveur d'origine

## Le journal de modération
log-title = { $scope } : journal de modération
log-about-community = Chaque décision de modération de { $community }, quand et pourquoi, et le rôle de qui l'a prise.
log-about-instance = Chaque décision de modération et de fédération de cette instance et de ses communautés : domaines bloqués et autorisés, comptes bloqués, rôles, signalements, commentaires, réglages.
log-follow = Suivre ce journal (Atom)
log-empty = Aucune décision pour l'instant.
log-when = Quand
log-decision = Décision
log-community = Communauté
log-on = Sur
log-reason = Motif
log-by = Par
log-the-instance = l'instance
log-a-domain = un domaine
log-action-approve = Commentaire approuvé
log-action-remove = Commentaire retiré
log-action-restore = Commentaire rétabli
log-action-policy = Politique de commentaires modifiée
log-action-settings = Réglages modifiés
log-action-charter = Charte modifiée
log-action-role_granted = Rôle attribué
log-action-role_removed = Rôle retiré
log-action-actor_blocked = Compte bloqué
log-action-actor_unblocked = Compte débloqué
log-action-domain_blocked = Domaine bloqué
log-action-domain_silenced = Domaine masqué
log-action-domain_unblocked = Domaine débloqué
log-action-domain_allowed = Domaine autorisé
log-action-domain_disallowed = Domaine retiré des autorisés
log-action-federation_mode = Mode de fédération modifié
log-action-report_resolved = Signalement traité
log-action-other = Décision
role-steward = responsable
role-editor = éditeur·rice
role-moderator = modérateur·rice
role-author = auteur·rice
role-member = membre
role-admin = administration

## Autres pages
instance-actor-page = Ceci est l'acteur d'instance d'un serveur peerpress.
source-title = Code source
source-body = Ce serveur fait tourner peerpress { $version } (commit { $commit }), logiciel libre sous licence publique générale GNU Affero, version 3 ou ultérieure. Le code source de la version en service : { $archive }.
source-elsewhere = Son opérateur le publie aussi à l'adresse { $link }.
draft-preview-note = Un brouillon, montré par son lien de prévisualisation : pas encore publié, il peut encore changer.
reading-time = { $count ->
    [one] { $count } minute de lecture
   *[other] { $count } minutes de lecture
}

## L'en-tête
nav-site = Site
sign-in = Se connecter
sign-out = Se déconnecter
