// Le bureau : dépôt des originaux signés, des pièces et des modèles (glisser-déposer ou formulaire),
// suivi d'une construction (événements envoyés par le serveur) et aperçu d'un document tenu à jour.
// Sans ce script, les formulaires marchent seuls.
"use strict";

const jeton = () => document.querySelector('meta[name="jeton"]').content;

function texte(el, valeur) { el.textContent = valeur; }

function montrerLigne(caseEl, reponse) {
  const etat = caseEl.querySelector('[data-role="etat"]');
  const liste = caseEl.querySelector('[data-role="problemes"]');
  if (etat) texte(etat, reponse.etat);
  if (liste) {
    liste.replaceChildren(...(reponse.problemes || []).map((p) => {
      const li = document.createElement("li");
      li.textContent = "! " + p;
      return li;
    }));
    liste.hidden = !(reponse.problemes || []).length;
  }
}

async function deposer(form, fichier) {
  const caseEl = form.closest(".case");
  const verdict = form.querySelector('[data-role="verdict"]');
  verdict.className = "verdict";
  texte(verdict, `Vérification de ${fichier.name}…`);
  const corps = new FormData();
  corps.append("jeton", jeton());
  corps.append("fichier", fichier, fichier.name);
  let reponse;
  try {
    const r = await fetch(form.action, {method: "POST", body: corps,
      headers: {"Accept": "application/json", "X-Jeton": jeton()}, credentials: "same-origin"});
    reponse = await r.json();
  } catch (e) {
    reponse = {ok: false, erreur: "le bureau ne répond pas (a-t-il été arrêté ? relancez « make bureau » et ouvrez l'adresse qu'il affiche)"};
  }
  if (reponse.ok) {
    montrerLigne(caseEl, reponse);
    verdict.className = "verdict avis-ok";
    texte(verdict, `Déposé : ${reponse.fichier}. ${reponse.changement}. ${reponse.reconstruire}.`);
    const etatAnnee = document.querySelector('[data-role="etat-annee"]');
    if (etatAnnee && reponse.a_reconstruire) {  // the year's state as the board now says it
      const jamais = reponse.etat_annee === "jamais construit";
      etatAnnee.className = "badge " + (jamais ? "badge-jamais" : "badge-a-refaire");
      texte(etatAnnee, (jamais ? "○ " : "↻ ") + reponse.etat_annee);
    }
  } else {
    verdict.className = "verdict refus";
    texte(verdict, `Refusé : ${reponse.erreur}`);
  }
  caseEl.dataset.depose = reponse.ok ? "oui" : "non";
}

async function envoyer(form, fichier) {
  const corps = new FormData(form);
  corps.set("jeton", jeton());
  corps.set("fichier", fichier, fichier.name);
  try {
    const r = await fetch(form.action, {method: "POST", body: corps,
      headers: {"Accept": "application/json", "X-Jeton": jeton()}, credentials: "same-origin"});
    return await r.json();
  } catch (e) {
    return {ok: false, erreur: "le bureau ne répond pas (a-t-il été arrêté ? relancez « make bureau » et ouvrez l'adresse qu'il affiche)"};
  }
}

function marquerAnnee(reponse) {
  const etatAnnee = document.querySelector('[data-role="etat-annee"]');
  if (etatAnnee && reponse.a_reconstruire) {  // the year's state as the board now says it
    const jamais = reponse.etat_annee === "jamais construit";
    etatAnnee.className = "badge " + (jamais ? "badge-jamais" : "badge-a-refaire");
    texte(etatAnnee, (jamais ? "○ " : "↻ ") + reponse.etat_annee);
  }
}

async function deposerPiece(form, fichier) {
  const caseEl = form.closest(".case");
  const verdict = form.querySelector('[data-role="verdict"]');
  verdict.className = "verdict";
  texte(verdict, `Vérification de ${fichier.name}…`);
  const reponse = await envoyer(form, fichier);
  if (reponse.ok) {
    const annee = form.action.split("/").slice(-3)[0];
    const nom = form.querySelector('[data-role="piece-fichier"]');
    nom.replaceChildren(`${annee}/${reponse.fichier} — `);
    const lien = document.createElement("a");
    lien.href = form.action;
    lien.textContent = "télécharger";
    nom.append(lien);
    const specimen = form.querySelector('[data-role="piece-specimen"]');
    const badge = document.createElement("span");
    badge.className = "badge " + (reponse.specimen ? "badge-a-refaire" : "badge-a-jour");
    badge.textContent = reponse.specimen ? "◇ spécimen" : "✓ vraie pièce";
    specimen.replaceChildren(badge);
    verdict.className = "verdict avis-ok";
    texte(verdict, `Déposé : ${reponse.changement}. ${reponse.reconstruire}.`);
    marquerAnnee(reponse);
  } else {
    verdict.className = "verdict refus";
    texte(verdict, `Refusé : ${reponse.erreur}`);
  }
  caseEl.dataset.depose = reponse.ok ? "oui" : "non";
}

async function deposerModele(form, fichier) {
  const caseEl = form.closest(".case");
  const verdict = form.querySelector('[data-role="verdict"]');
  verdict.className = "verdict";
  verdict.replaceChildren(`Vérification de ${fichier.name} (comme make check)…`);
  const reponse = await envoyer(form, fichier);
  const phrase = document.createElement("p");
  const liste = document.createElement("ul");
  liste.className = "problemes";
  for (const ligne of (reponse.ok ? reponse.avertissements : reponse.problemes) || []) {
    const li = document.createElement("li");
    li.textContent = (reponse.ok ? "avertissement : " : "") + ligne;
    liste.appendChild(li);
  }
  verdict.className = "verdict " + (reponse.ok ? "avis-ok" : "refus");
  phrase.textContent = reponse.ok ? `Accepté : ${reponse.changement}.` : `Refusé : ${reponse.erreur}`;
  verdict.replaceChildren(phrase);
  if (liste.children.length) verdict.appendChild(liste);
  verdict.setAttribute("role", reponse.ok ? "status" : "alert");
  caseEl.dataset.depose = reponse.ok ? "oui" : "non";
}

function brancherDepots(selecteur, action) {
  for (const form of document.querySelectorAll(selecteur)) {
    const entree = form.querySelector('input[type="file"]');
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (entree.files.length) action(form, entree.files[0]);
    });
    entree.addEventListener("change", () => { if (entree.files.length) action(form, entree.files[0]); });
    const zone = form.closest(".case");
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("survol"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("survol"));
    zone.addEventListener("drop", (ev) => {
      ev.preventDefault();
      zone.classList.remove("survol");
      if (ev.dataTransfer.files.length) action(form, ev.dataTransfer.files[0]);
    });
  }
}

function brancherApercu() {
  const form = document.querySelector("form.apercu");
  if (!form) return;
  const cadre = document.getElementById("apercu-cadre");
  const etat = document.getElementById("apercu-etat");
  let minuterie = null;
  let vu = null;
  const adresse = () => form.dataset.base + encodeURIComponent(form.querySelector("select").value);
  const montrer = (version) => {
    vu = version;
    cadre.hidden = false;
    cadre.src = `${adresse()}?v=${version}`;
    texte(etat, `Aperçu à jour (${new Date().toLocaleTimeString("fr-FR")}).`);
  };
  const suivre = async () => {
    try {
      const r = await fetch(`${adresse()}/version`, {headers: {"Accept": "application/json"}, credentials: "same-origin"});
      const reponse = await r.json();
      if (reponse.version && reponse.version !== vu) {
        texte(etat, "Un modèle ou une donnée a changé : aperçu en cours de mise à jour…");
        montrer(reponse.version);
      }
    } catch (e) { /* the bureau stopped: the last preview stays, said as is */ }
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    vu = null;
    texte(etat, "Préparation de l'aperçu (quelques secondes)…");
    suivre();
    if (minuterie === null) minuterie = setInterval(suivre, 2000);
  });
}

function brancherCases() {
  brancherDepots("form.depot-piece", deposerPiece);
  brancherDepots("form.depot-modele", deposerModele);
  brancherDepots("form.depot:not(.depot-piece):not(.depot-modele)", deposer);  // the signed originals
}

function suivre(travail) {
  const zone = document.getElementById("progression");
  const liste = document.getElementById("messages");
  const resultat = document.getElementById("resultat");
  liste.replaceChildren();
  texte(resultat, "Construction en cours…");
  zone.dataset.etat = "en-cours";
  const flux = new EventSource(`/travaux/${travail}/flux`);
  const ajouter = (genre, valeur) => {
    const li = document.createElement("li");
    li.className = "m-" + genre;
    li.textContent = (genre === "avertissement" ? "avertissement : " : "") + valeur;
    liste.appendChild(li);
  };
  for (const genre of ["journal", "avertissement", "progression"]) {
    flux.addEventListener(genre, (ev) => ajouter(genre, ev.data));
  }
  flux.addEventListener("fin", (ev) => {
    flux.close();
    ajouter("fin", ev.data);
    zone.dataset.etat = "fini";
    resultat.replaceChildren();
    const lien = document.createElement("a");
    lien.href = zone.dataset.dossier;
    lien.id = "lien-dossier";
    lien.target = "_blank";
    lien.rel = "noopener";
    lien.textContent = "Ouvrir le dossier construit";
    const recharger = document.createElement("a");
    recharger.href = location.pathname;
    recharger.textContent = "mettre la page à jour";
    resultat.append("Terminé. ", lien, " — ", recharger);
  });
  flux.addEventListener("erreur", (ev) => {
    flux.close();
    ajouter("erreur", ev.data);
    zone.dataset.etat = "echec";
    texte(resultat, "La construction s'est arrêtée : voir le message ci-dessus.");
  });
  flux.onerror = () => { if (zone.dataset.etat === "en-cours") { flux.close(); texte(resultat, "Suivi interrompu : rechargez la page."); } };
}

function brancherConstruction() {
  const form = document.querySelector("form.construire");
  if (!form) return;
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const version = ev.submitter ? ev.submitter.value : "travail";
    const corps = new FormData();
    corps.append("jeton", jeton());
    corps.append("version", version);
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    try {
      const r = await fetch(form.action, {method: "POST", body: corps,
        headers: {"Accept": "application/json", "X-Jeton": jeton()}, credentials: "same-origin"});
      const reponse = await r.json();
      if (reponse.ok) suivre(reponse.travail);
      else texte(document.getElementById("resultat"), "Refusé : " + reponse.erreur);
    } finally {
      for (const b of form.querySelectorAll("button")) b.disabled = false;
    }
  });
  const enCours = document.getElementById("progression").dataset.travail;
  if (enCours && new URLSearchParams(location.search).get("travail") === enCours) suivre(enCours);
}

document.addEventListener("DOMContentLoaded", () => { brancherCases(); brancherConstruction(); brancherApercu(); });
