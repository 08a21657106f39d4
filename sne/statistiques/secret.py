"""Statistical confidentiality of the open-data files (« secret statistique », issue 16).

A published table counts households: rows are the communes of a département, columns the
modalities of one indicator (typology wished, seniority band…), with the total of each row, of
each column and the grand total. Two rules, the issue's, as INSEE applies them to its tables
(docs/open-data.md):

- **primary suppression**: no published figure under `SEUIL` (11) households — a zero included,
  a total included. A zero is a sampling zero here, never a structural one (any commune may have
  demandes of any modality), and publishing it tells that every household of the commune has
  some other modality (group disclosure) and pins the masked cells beside it: with the row
  ``15, 0, 0`` and its total 15, hiding the two zeros protects nothing if ``15`` is shown;
- **secondary suppression**: no masked figure can be recomputed from what is published. Every
  figure is seen as the flow on an arc of a circulation network (the classical model of a
  two-dimensional table with its margins):

      grand total: S_in → S_out      row total i: S_out → row i
      cell (i, j): row i → column j  column total j: column j → S_in

  Each node is one additive line of the table (a row with its total, a column with its total,
  the row of the column totals, the column of the row totals). The figures a reader does not see
  are the unknown flows, non-negative, of a circulation whose other flows are known. A masked
  figure is recomputable (its interval is one point, by linear programming as well as in
  integers: the matrix is totally unimodular) exactly when, at the true table, it lies on no
  cycle of the residual graph — masked arcs usable forwards, and backwards when their value is
  positive. So masking first applies the classical line rule (a line with exactly one masked
  figure masks its smallest other one, to the fixed point), then, for any figure still
  recomputable (a masked cell joining two otherwise separate groups, zeros that pin a line),
  masks the cheapest path that closes a cycle through it (the « network » method of τ-ARGUS).

The tables of one file (one per indicator, the same communes) share the communes' totals: they
keep them all published (`totaux_lignes_publies`), after gathering the communes under the
threshold (`lignes_a_regrouper`), so that no masked figure of one table is tied to another.

`recalculable` and `intervalles` are the independent checks, reading only the published table:
propagation along the lines, and the exact interval of each masked figure by maximum flows.

Pure Python, standard library only: the app that builds and publishes the files calls it.
"""

import heapq
from collections import deque
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

SEUIL = 11
"""No figure under 11 households is published (issue 16)."""

POIDS_DES_TOTAUX = 10
"""A total (a commune's number of demandes, most read of all) is masked only when a cell cannot
do: masking it costs ten times as much as masking a cell of the same value."""

Position = tuple
"""Where a figure is: ``("case", i, j)``, ``("total_ligne", i)``, ``("total_colonne", j)``,
``("total",)``; for a single line, ``("case", j)`` and ``("total",)``."""


@dataclass(frozen=True)
class TableauPublie:
    """A two-dimensional table as published: each figure an integer, or None when masked."""

    cases: tuple[tuple[int | None, ...], ...]
    totaux_lignes: tuple[int | None, ...]
    totaux_colonnes: tuple[int | None, ...]
    total: int | None

    def valeur(self, position: Position) -> int | None:
        genre, *indices = position
        if genre == "case":
            return self.cases[indices[0]][indices[1]]
        if genre == "total_ligne":
            return self.totaux_lignes[indices[0]]
        if genre == "total_colonne":
            return self.totaux_colonnes[indices[0]]
        return self.total


@dataclass(frozen=True)
class LignePubliee:
    """A single line (one commune, its modalities and its total) as published."""

    cases: tuple[int | None, ...]
    total: int | None

    def valeur(self, position: Position) -> int | None:
        return self.cases[position[1]] if position[0] == "case" else self.total


# --- Masking -----------------------------------------------------------------------------------


def appliquer_secret(
    cases: Sequence[Sequence[int]], seuil: int = SEUIL, *, totaux_lignes_publies: bool = False
) -> TableauPublie:
    """The table of counts (rows × columns, non-negative integers) as it may be published: its
    totals computed, then primary and secondary suppression (module docstring).

    `totaux_lignes_publies`: the row totals and the grand total are shown as they are, never
    masked — for the tables of one file that share them (one per indicator, the same communes):
    a total masked in one table and shown, or bounded otherwise, in another would be revealed.
    With them all published, the masked figures of two tables share no equation, so each
    table protected alone is protected together. Every row total must then reach the threshold
    (`lignes_a_regrouper` says which communes to gather first); ValueError otherwise, or when a
    masked cell cannot be protected without masking a total."""
    lignes = [list(ligne) for ligne in cases]
    nb_colonnes = len(lignes[0]) if lignes else 0
    if any(len(ligne) != nb_colonnes for ligne in lignes):
        raise ValueError("Toutes les lignes du tableau doivent avoir le même nombre de cases.")
    for valeur in (v for ligne in lignes for v in ligne):
        _verifier_effectif(valeur)
    totaux_lignes = [sum(ligne) for ligne in lignes]
    totaux_colonnes = [sum(ligne[j] for ligne in lignes) for j in range(nb_colonnes)]
    if totaux_lignes_publies and any(t < seuil for t in totaux_lignes):
        raise ValueError(
            f"Un total de ligne sous {seuil} ne peut être publié : regroupez d'abord ces lignes."
        )
    vrai = TableauPublie(
        cases=tuple(tuple(ligne) for ligne in lignes),
        totaux_lignes=tuple(totaux_lignes),
        totaux_colonnes=tuple(totaux_colonnes),
        total=sum(totaux_lignes),
    )
    reseau = _reseau_du_tableau(vrai)
    fixes = {"total_ligne", "total"} if totaux_lignes_publies and lignes else set()
    intouchables = {k for k, p in enumerate(reseau.positions) if p[0] in fixes}
    masque = _masquer(reseau, [vrai.valeur(p) for p in reseau.positions], seuil, intouchables)
    publie = {p: (None if k in masque else vrai.valeur(p)) for k, p in enumerate(reseau.positions)}
    return TableauPublie(
        cases=tuple(
            tuple(publie["case", i, j] for j in range(nb_colonnes)) for i in range(len(lignes))
        ),
        totaux_lignes=tuple(publie["total_ligne", i] for i in range(len(lignes))),
        totaux_colonnes=tuple(publie["total_colonne", j] for j in range(nb_colonnes)),
        total=publie["total",],
    )


def appliquer_secret_ligne(cases: Sequence[int], seuil: int = SEUIL) -> LignePubliee:
    """One line (a commune's modalities) and its total, as they may be published."""
    valeurs = list(cases)
    for valeur in valeurs:
        _verifier_effectif(valeur)
    reseau = _reseau_de_la_ligne(len(valeurs))
    vraies = [sum(valeurs) if p == ("total",) else valeurs[p[1]] for p in reseau.positions]
    masque = _masquer(reseau, vraies, seuil)
    publiees = [None if k in masque else v for k, v in enumerate(vraies)]
    return LignePubliee(cases=tuple(publiees[1:]), total=publiees[0])


def lignes_a_regrouper(totaux_lignes: Sequence[int], seuil: int = SEUIL) -> list[int]:
    """The rows (communes) to gather into one « autres communes » row before publishing the row
    totals: those under the threshold, and while their sum is still under it, the smallest of
    the others — the gathered row's total is the grand total minus the published ones, so it
    must reach the threshold too. Every row when even all of them do not."""
    groupe = [i for i, total in enumerate(totaux_lignes) if total < seuil]
    autres = sorted(
        (i for i, total in enumerate(totaux_lignes) if total >= seuil),
        key=lambda i: (totaux_lignes[i], i),
    )
    while groupe and sum(totaux_lignes[i] for i in groupe) < seuil and autres:
        groupe.append(autres.pop(0))
    return sorted(groupe)


def _verifier_effectif(valeur) -> None:
    if isinstance(valeur, bool) or not isinstance(valeur, int) or valeur < 0:
        raise ValueError(f"Un effectif est un entier positif ou nul, pas {valeur!r}.")


def _masquer(
    reseau: "_Reseau", valeurs: list[int], seuil: int, intouchables: Collection[int] = ()
) -> set[int]:
    """The arcs to mask: primary, then the line rule to its fixed point, then a closing path for
    each figure still recomputable, until none is. `intouchables` are never masked."""
    masque = {k for k, v in enumerate(valeurs) if v < seuil}
    if not reseau.lignes:  # An empty table: only a grand total, nothing to protect it with.
        return set(range(len(valeurs)))

    def cout(k: int) -> int | None:
        """What masking arc k costs; None: it may not be masked."""
        if k in intouchables:
            return None
        poids = 1 if reseau.positions[k][0] == "case" else POIDS_DES_TOTAUX
        return poids * (valeurs[k] + 1)

    while True:
        _regle_des_lignes(reseau, masque, cout)
        revelees = _arcs_determines(reseau, valeurs, masque)
        if not revelees:
            return masque
        chemin = _chemin_qui_protege(reseau, valeurs, masque, min(revelees), cout)
        if not chemin:  # Only when totals are kept: without them, every arc closes a cycle.
            raise ValueError(
                "Une case masquée resterait recalculable sans masquer un total : regroupez "
                "davantage de lignes."
            )
        masque |= chemin


def _regle_des_lignes(reseau: "_Reseau", masque: set[int], cout) -> None:
    """A line (a node) with exactly one masked figure masks its cheapest other one: the masked
    figure would otherwise be the total minus the others. To the fixed point."""
    change = True
    while change:
        change = False
        for arcs in reseau.lignes:
            masques = [k for k in arcs if k in masque]
            visibles = [k for k in arcs if k not in masque and cout(k) is not None]
            if len(masques) == 1 and visibles:
                masque.add(min(visibles, key=lambda k: (cout(k), k)))
                change = True


def _arcs_determines(reseau: "_Reseau", valeurs: list[int], masque: set[int]) -> list[int]:
    """The masked arcs whose flow is the same in every table agreeing with what is published:
    those on no cycle of the residual graph at the true table (module docstring)."""
    sortants: dict[int, list[tuple[int, int]]] = {}
    for k in masque:
        origine, destination = reseau.arcs[k]
        sortants.setdefault(origine, []).append((destination, k))
        if valeurs[k] > 0:
            sortants.setdefault(destination, []).append((origine, k))

    def atteint(depart: int, arrivee: int, sauf: int) -> bool:
        vus, file = {depart}, deque([depart])
        while file:
            noeud = file.popleft()
            for suivant, k in sortants.get(noeud, ()):
                if k != sauf and suivant not in vus:
                    if suivant == arrivee:
                        return True
                    vus.add(suivant)
                    file.append(suivant)
        return False

    determines = []
    for k in sorted(masque):
        origine, destination = reseau.arcs[k]
        sur_un_cycle = atteint(destination, origine, k) or (
            valeurs[k] > 0 and atteint(origine, destination, k)
        )
        if not sur_un_cycle:
            determines.append(k)
    return determines


def _chemin_qui_protege(
    reseau: "_Reseau", valeurs: list[int], masque: set[int], arc: int, cout
) -> set[int]:
    """The cheapest set of figures to mask so that `arc` lies on a cycle of masked arcs (Dijkstra:
    a masked arc costs nothing, a visible one its cost, usable backwards when positive)."""
    origine, destination = reseau.arcs[arc]
    voisins: dict[int, list[tuple[int, int]]] = {}
    for k, (o, d) in enumerate(reseau.arcs):
        if k == arc or (k not in masque and cout(k) is None):
            continue
        voisins.setdefault(o, []).append((d, k))
        if valeurs[k] > 0:
            voisins.setdefault(d, []).append((o, k))
    meilleurs = []
    departs = [(destination, origine)]
    if valeurs[arc] > 0:
        departs.append((origine, destination))
    for depart, arrivee in departs:
        distances = {depart: 0}
        precedents: dict[int, tuple[int, int]] = {}
        tas = [(0, depart)]
        while tas:
            distance, noeud = heapq.heappop(tas)
            if noeud == arrivee:
                break
            if distance > distances[noeud]:
                continue
            for suivant, k in voisins.get(noeud, ()):
                nouvelle = distance + (0 if k in masque else cout(k))
                if nouvelle < distances.get(suivant, nouvelle + 1):
                    distances[suivant] = nouvelle
                    precedents[suivant] = (noeud, k)
                    heapq.heappush(tas, (nouvelle, suivant))
        if arrivee in distances:
            chemin, noeud = set(), arrivee
            while noeud != depart:
                noeud, k = precedents[noeud]
                chemin.add(k)
            meilleurs.append((distances[arrivee], sorted(chemin)))
    if not meilleurs:
        return set()
    return {k for k in min(meilleurs)[1] if k not in masque}


# --- The independent checks, on the published table only ------------------------------------


def recalculable(publie: "TableauPublie | LignePubliee") -> dict[Position, int]:
    """The masked figures a reader recomputes by propagation: a line whose figures are all known
    but one gives that one (its total minus the others, or the total as their sum); what is found
    is used again, until nothing more is."""
    connues = {p: publie.valeur(p) for p in _lignes_lisibles(publie, seulement_positions=True)}
    trouvees: dict[Position, int] = {}
    change = True
    while change:
        change = False
        for parties, total in _lignes_lisibles(publie):
            inconnues = [p for p in [*parties, total] if connues[p] is None]
            if len(inconnues) != 1:
                continue
            [inconnue] = inconnues
            somme = sum(connues[p] for p in parties if p != inconnue)
            valeur = somme if inconnue == total else connues[total] - somme
            connues[inconnue] = trouvees[inconnue] = valeur
            change = True
    return trouvees


def _lignes_lisibles(publie, seulement_positions: bool = False):
    """The additive lines as a reader sees them: (the parts, their total)."""
    if isinstance(publie, LignePubliee):
        lignes = [([("case", j) for j in range(len(publie.cases))], ("total",))]
    else:
        n, m = len(publie.totaux_lignes), len(publie.totaux_colonnes)
        lignes = [([("case", i, j) for j in range(m)], ("total_ligne", i)) for i in range(n)]
        lignes += [([("case", i, j) for i in range(n)], ("total_colonne", j)) for j in range(m)]
        lignes.append(([("total_ligne", i) for i in range(n)], ("total",)))
        lignes.append(([("total_colonne", j) for j in range(m)], ("total",)))
    if seulement_positions:
        return {p for parties, total in lignes for p in [*parties, total]}
    return lignes


def intervalles(publie: "TableauPublie | LignePubliee") -> dict[Position, tuple[int, int | None]]:
    """For each masked figure, the smallest and largest value it can take in a table of
    non-negative counts agreeing with every published figure (None: no upper bound) — the bounds
    of the linear programs, computed exactly as maximum flows. min == max: the figure is
    revealed. Raises ValueError when no table agrees (figures inconsistent)."""
    reseau = (
        _reseau_de_la_ligne(len(publie.cases))
        if isinstance(publie, LignePubliee)
        else _reseau_du_tableau(publie)
    )
    connues = [publie.valeur(p) for p in reseau.positions]
    inconnus = [k for k, v in enumerate(connues) if v is None]
    flot = _un_tableau_possible(reseau, connues, inconnus)
    grand = sum(flot.values()) + sum(v for v in connues if v is not None) + 1
    resultat = {}
    for k in inconnus:
        origine, destination = reseau.arcs[k]
        autres = [a for a in inconnus if a != k]
        # Growing arc k: a circulation through it, from its head back to its tail.
        avant = [(reseau.arcs[a][0], reseau.arcs[a][1], grand) for a in autres]
        arriere = [(reseau.arcs[a][1], reseau.arcs[a][0], flot[a]) for a in autres]
        if _atteint([(o, d) for o, d, _ in avant], destination, origine):
            maximum = None
        else:
            maximum = flot[k] + _flot_maximal(avant + arriere, destination, origine, grand)
        # Shrinking it: the same, the other way round, no further than zero.
        minimum = flot[k] - _flot_maximal(avant + arriere, origine, destination, flot[k])
        resultat[reseau.positions[k]] = (minimum, maximum)
    return resultat


def cases_revelees(publie: "TableauPublie | LignePubliee") -> set[Position]:
    """Every masked figure a reader can recompute, by either check."""
    par_intervalle = {p for p, (bas, haut) in intervalles(publie).items() if bas == haut}
    return set(recalculable(publie)) | par_intervalle


def _un_tableau_possible(reseau, connues, inconnus) -> dict[int, int]:
    """Flows for the masked arcs agreeing with the published ones (a feasible point), by a
    maximum flow from the nodes where published flows enter more than leave."""
    bilans = [0] * reseau.nb_noeuds
    for k, valeur in enumerate(connues):
        if valeur is not None:
            origine, destination = reseau.arcs[k]
            bilans[origine] -= valeur
            bilans[destination] += valeur
    source, puits = reseau.nb_noeuds, reseau.nb_noeuds + 1
    offre = sum(b for b in bilans if b > 0)
    arcs = [(*reseau.arcs[k], offre) for k in inconnus]
    arcs += [(source, noeud, b) for noeud, b in enumerate(bilans) if b > 0]
    arcs += [(noeud, puits, -b) for noeud, b in enumerate(bilans) if b < 0]
    flots = [0] * len(arcs)
    if _flot_maximal(arcs, source, puits, offre, flots) != offre or sum(bilans) != 0:
        raise ValueError("Aucun tableau d'effectifs positifs ne s'accorde avec ces chiffres.")
    return {k: flots[n] for n, k in enumerate(inconnus)}


def _atteint(arcs: Iterable[tuple[int, int]], depart: int, arrivee: int) -> bool:
    sortants: dict[int, list[int]] = {}
    for origine, destination in arcs:
        sortants.setdefault(origine, []).append(destination)
    vus, file = {depart}, deque([depart])
    while file:
        noeud = file.popleft()
        if noeud == arrivee:
            return True
        for suivant in sortants.get(noeud, ()):
            if suivant not in vus:
                vus.add(suivant)
                file.append(suivant)
    return False


def _flot_maximal(arcs, source, puits, limite, flots=None) -> int:
    """Edmonds–Karp on (origin, destination, capacity) arcs, stopped at `limite`; `flots`, when
    given, receives the flow on each arc."""
    if source == puits:
        return limite
    flots = flots if flots is not None else [0] * len(arcs)
    # Residual arcs: 2n is arc n forwards, 2n + 1 backwards.
    sortants: dict[int, list[int]] = {}
    for n, (origine, destination, _) in enumerate(arcs):
        sortants.setdefault(origine, []).append(2 * n)
        sortants.setdefault(destination, []).append(2 * n + 1)

    def residu(r: int) -> int:
        n, sens = divmod(r, 2)
        return flots[n] if sens else arcs[n][2] - flots[n]

    def bout(r: int) -> int:
        n, sens = divmod(r, 2)
        return arcs[n][0] if sens else arcs[n][1]

    total = 0
    while total < limite:
        par = {source: None}
        file = deque([source])
        while file and puits not in par:
            noeud = file.popleft()
            for r in sortants.get(noeud, ()):
                suivant = bout(r)
                if suivant not in par and residu(r) > 0:
                    par[suivant] = r
                    file.append(suivant)
        if puits not in par:
            break
        chemin, noeud = [], puits
        while par[noeud] is not None:
            r = par[noeud]
            chemin.append(r)
            noeud = arcs[r // 2][1] if r % 2 else arcs[r // 2][0]
        pousse = min([limite - total, *(residu(r) for r in chemin)])
        for r in chemin:
            flots[r // 2] += -pousse if r % 2 else pousse
        total += pousse
    return total


# --- The network of a table ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Reseau:
    nb_noeuds: int
    arcs: list[tuple[int, int]]  # (origin, destination) of each figure
    positions: list[Position]  # where each figure is in the table
    lignes: list[list[int]]  # for each node (an additive line), the arcs that meet there


def _reseau_du_tableau(tableau: TableauPublie) -> _Reseau:
    n, m = len(tableau.totaux_lignes), len(tableau.totaux_colonnes)
    entree, sortie = 0, 1
    ligne, colonne = (lambda i: 2 + i), (lambda j: 2 + n + j)
    arcs, positions = [(entree, sortie)], [("total",)]
    for i in range(n):
        arcs.append((sortie, ligne(i)))
        positions.append(("total_ligne", i))
    for j in range(m):
        arcs.append((colonne(j), entree))
        positions.append(("total_colonne", j))
    for i in range(n):
        for j in range(m):
            arcs.append((ligne(i), colonne(j)))
            positions.append(("case", i, j))
    return _avec_lignes(2 + n + m, arcs, positions, vide=n == 0 or m == 0)


def _reseau_de_la_ligne(nb_cases: int) -> _Reseau:
    total, commune = 0, 1
    arcs = [(total, commune)] + [(commune, total)] * nb_cases
    positions = [("total",)] + [("case", j) for j in range(nb_cases)]
    return _avec_lignes(2, arcs, positions, vide=nb_cases == 0)


def _avec_lignes(nb_noeuds, arcs, positions, vide) -> _Reseau:
    lignes = [[] for _ in range(nb_noeuds)]
    for k, (origine, destination) in enumerate(arcs):
        lignes[origine].append(k)
        lignes[destination].append(k)
    return _Reseau(nb_noeuds, arcs, positions, [] if vide else lignes)
