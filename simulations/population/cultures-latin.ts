/**
 * Naming data of cultures written in Latin script: the most frequent surnames with their share of the
 * population (per cent, rounded from national statistics and surname studies), the most frequent
 * given names by sex (drawn with a Zipf law), particles, and syllables from which the long tail of
 * rare surnames is built. Frequencies matter more than completeness: a few surnames are held by
 * several per cent of a country (García, Nagy, Silva, Yılmaz, Nguyễn), which is what makes
 * false hits.
 *
 * Surnames are written as their holders write them; a feminine form follows after `/` where the
 * language has one (Kowalski/Kowalska, Novák/Nováková, Kazlauskas/Kazlauskienė).
 */
import type { CultureData } from './culture.ts';

export const GERMAN: CultureData = {
  id: 'de', script: 'latin',
  surnames: [
    ['Müller', 0.95], ['Schmidt', 0.7], ['Schneider', 0.42], ['Fischer', 0.38], ['Weber', 0.32], ['Meyer', 0.3],
    ['Wagner', 0.28], ['Becker', 0.26], ['Schulz', 0.25], ['Hoffmann', 0.24], ['Schäfer', 0.2], ['Koch', 0.2],
    ['Bauer', 0.19], ['Richter', 0.19], ['Klein', 0.18], ['Wolf', 0.17], ['Schröder', 0.16], ['Neumann', 0.16],
    ['Schwarz', 0.15], ['Zimmermann', 0.15], ['von Berg', 0.02], ['von der Heide', 0.01],
  ],
  tail: { roots: ['Bren', 'Hal', 'Kirch', 'Lang', 'Stein', 'Wald', 'Ross', 'Hart', 'Feld', 'Brun', 'Eck', 'Gott', 'Hell', 'Kemp', 'Lind', 'Mahl', 'Nord', 'Pfeif', 'Rein', 'Sauer', 'Tromm', 'Vogel', 'Wend', 'Zell', 'Ober', 'Hub', 'Grün', 'Schw'], suffixes: ['er', 'mann', 'berg', 'hof', 'bach', 'ner', 'inger', 'ert', 'feld', 'stein', 'rich', 'mayr', 'haus', 'brück', 'lein'] },
  given: {
    M: ['Thomas', 'Michael', 'Andreas', 'Stefan', 'Peter', 'Christian', 'Klaus', 'Jürgen', 'Wolfgang', 'Frank', 'Markus', 'Hans', 'Uwe', 'Jan', 'Lukas', 'Jonas', 'Felix', 'Maximilian', 'Karl', 'Dieter', 'Hans-Peter', 'Karl-Heinz'],
    F: ['Sabine', 'Susanne', 'Petra', 'Andrea', 'Claudia', 'Anna', 'Julia', 'Monika', 'Birgit', 'Katharina', 'Ursula', 'Gabriele', 'Lena', 'Laura', 'Sophie', 'Marie', 'Anne-Marie', 'Elisabeth'],
  },
  particles: ['von', 'von der', 'zu'],
};

export const FRENCH: CultureData = {
  id: 'fr', script: 'latin',
  surnames: [
    ['Martin', 0.4], ['Bernard', 0.2], ['Thomas', 0.18], ['Petit', 0.17], ['Robert', 0.16], ['Richard', 0.16],
    ['Durand', 0.15], ['Dubois', 0.15], ['Moreau', 0.14], ['Laurent', 0.14], ['Simon', 0.13], ['Michel', 0.13],
    ['Lefèvre', 0.12], ['Leroy', 0.12], ['Roux', 0.11], ['David', 0.11], ['Bertrand', 0.1], ['Morel', 0.1],
    ['Fournier', 0.1], ['Girard', 0.1], ['Le Goff', 0.03], ['de La Fontaine', 0.01], ['Dupont', 0.06],
  ],
  tail: { roots: ['Bou', 'Char', 'Clé', 'Gau', 'Lam', 'Mar', 'Pel', 'Rou', 'Tes', 'Vin', 'Bar', 'Cour', 'Fon', 'Gre', 'Jol', 'Mon', 'Pon', 'Ser', 'Vau', 'Bel'], suffixes: ['ier', 'ot', 'et', 'on', 'ard', 'in', 'eau', 'ault', 'and', 'elle', 'ais', 'ac'] },
  given: {
    M: ['Jean', 'Pierre', 'Michel', 'Philippe', 'Alain', 'Nicolas', 'François', 'Christophe', 'Éric', 'Laurent', 'Julien', 'Thomas', 'Hugo', 'Lucas', 'Jean-Pierre', 'Jean-Luc', 'Guillaume'],
    F: ['Marie', 'Nathalie', 'Isabelle', 'Sylvie', 'Catherine', 'Françoise', 'Christine', 'Sophie', 'Camille', 'Léa', 'Chloé', 'Manon', 'Anne-Sophie', 'Hélène', 'Élodie'],
  },
  particles: ['de', 'de la', 'du', 'le'],
};

export const SPANISH: CultureData = {
  id: 'es', script: 'latin', doubleSurname: true,
  surnames: [
    ['García', 3.2], ['Rodríguez', 1.5], ['González', 1.9], ['Fernández', 1.9], ['López', 1.9], ['Martínez', 1.8],
    ['Sánchez', 1.7], ['Pérez', 1.6], ['Gómez', 1.0], ['Martín', 1.0], ['Jiménez', 0.8], ['Ruiz', 0.7],
    ['Hernández', 0.7], ['Díaz', 0.7], ['Moreno', 0.6], ['Muñoz', 0.6], ['Álvarez', 0.6], ['Romero', 0.5],
    ['de la Cruz', 0.1], ['del Río', 0.05],
  ],
  tail: { roots: ['Ber', 'Cas', 'Do', 'Esc', 'Gal', 'Iba', 'Lar', 'Mar', 'Nav', 'Or', 'Pas', 'Quin', 'Sal', 'Tor', 'Val', 'Zam', 'Ar', 'Bel'], suffixes: ['ero', 'ado', 'illo', 'ón', 'ez', 'eda', 'ano', 'ia', 'ino', 'arte'] },
  given: {
    M: ['Antonio', 'José', 'Manuel', 'Francisco', 'David', 'Juan', 'Javier', 'José Luis', 'Daniel', 'Carlos', 'Jesús', 'Alejandro', 'Miguel', 'José Antonio', 'Rafael', 'Pablo', 'Sergio'],
    F: ['María', 'Carmen', 'Ana', 'Isabel', 'Laura', 'María Carmen', 'Cristina', 'Marta', 'María José', 'Lucía', 'Elena', 'Pilar', 'Sara', 'Paula'],
  },
  particles: ['de', 'del', 'de la'],
};

export const PORTUGUESE: CultureData = {
  id: 'pt', script: 'latin', doubleSurname: true,
  surnames: [
    ['Silva', 9.4], ['Santos', 5.7], ['Ferreira', 3.8], ['Pereira', 3.8], ['Oliveira', 3.0], ['Costa', 2.9],
    ['Rodrigues', 2.8], ['Martins', 2.7], ['Jesus', 2.2], ['Sousa', 2.1], ['Fernandes', 2.0], ['Gonçalves', 1.9],
    ['Gomes', 1.7], ['Lopes', 1.6], ['Marques', 1.5], ['Alves', 1.5], ['Almeida', 1.3], ['Ribeiro', 1.2],
    ['da Silva', 1.5], ['dos Santos', 1.0],
  ],
  tail: { roots: ['Ama', 'Bar', 'Car', 'Fa', 'Gui', 'Lei', 'Mou', 'Pin', 'Quei', 'Ra', 'Tei', 'Vi'], suffixes: ['ral', 'ros', 'valho', 'ria', 'mar', 'te', 'xeira', 'nho', 'ga', 'ção'] },
  given: {
    M: ['João', 'José', 'António', 'Francisco', 'Manuel', 'Pedro', 'Luís', 'Carlos', 'Paulo', 'Rui', 'Tiago', 'João Pedro'],
    F: ['Maria', 'Ana', 'Joana', 'Catarina', 'Inês', 'Sofia', 'Beatriz', 'Mariana', 'Ana Maria', 'Rita'],
  },
  particles: ['da', 'dos', 'de'],
};

export const ITALIAN: CultureData = {
  id: 'it', script: 'latin',
  surnames: [
    ['Rossi', 0.5], ['Russo', 0.35], ['Ferrari', 0.3], ['Esposito', 0.3], ['Bianchi', 0.25], ['Romano', 0.25],
    ['Colombo', 0.22], ['Ricci', 0.2], ['Marino', 0.2], ['Greco', 0.18], ['Bruno', 0.17], ['Gallo', 0.16],
    ['Conti', 0.15], ['De Luca', 0.15], ['Mancini', 0.14], ['Costa', 0.14], ['Giordano', 0.13], ['Rizzo', 0.13],
    ['Di Stefano', 0.05], ['D’Angelo', 0.06], ['Dell’Acqua', 0.02],
  ],
  tail: { roots: ['Bel', 'Cap', 'Fer', 'Gal', 'Lom', 'Mar', 'Pel', 'Ros', 'Sal', 'Tor', 'Vit', 'Zan', 'Cor', 'Mor'], suffixes: ['etti', 'ini', 'oni', 'ucci', 'ello', 'ari', 'ano', 'esi', 'otti', 'one'] },
  given: {
    M: ['Giuseppe', 'Giovanni', 'Antonio', 'Mario', 'Luigi', 'Francesco', 'Angelo', 'Vincenzo', 'Pietro', 'Salvatore', 'Marco', 'Luca', 'Andrea', 'Alessandro', 'Matteo'],
    F: ['Maria', 'Anna', 'Giuseppina', 'Rosa', 'Angela', 'Giovanna', 'Teresa', 'Lucia', 'Francesca', 'Giulia', 'Chiara', 'Sara', 'Paola'],
  },
  particles: ['de', 'di', 'del', 'della'],
};

export const DUTCH: CultureData = {
  id: 'nl', script: 'latin',
  surnames: [
    ['de Jong', 0.5], ['Jansen', 0.45], ['de Vries', 0.43], ['van den Berg', 0.35], ['van Dijk', 0.33], ['Bakker', 0.32],
    ['Janssen', 0.3], ['Visser', 0.29], ['Smit', 0.27], ['Meijer', 0.25], ['de Boer', 0.23], ['Mulder', 0.22],
    ['de Groot', 0.21], ['Bos', 0.2], ['Vos', 0.19], ['Peters', 0.18], ['Hendriks', 0.18], ['van Leeuwen', 0.17],
    ['Dekker', 0.16], ['van der Meer', 0.16], ['van der Linden', 0.12], ['van der Heijden', 0.12],
  ],
  tail: { roots: ['Brou', 'Dek', 'Hoek', 'Kui', 'Lam', 'Pos', 'Ros', 'Schou', 'Ver', 'Wil', 'Zwaan', 'Blo', 'Gro'], suffixes: ['wer', 'ker', 'stra', 'sma', 'man', 'ten', 'hout', 'veld', 'mans', 'ink', 'huis'] },
  given: {
    M: ['Jan', 'Johannes', 'Cornelis', 'Hendrik', 'Willem', 'Pieter', 'Gerrit', 'Dirk', 'Daan', 'Sem', 'Thijs', 'Bram', 'Lars'],
    F: ['Maria', 'Johanna', 'Anna', 'Cornelia', 'Elisabeth', 'Emma', 'Julia', 'Sanne', 'Lotte', 'Eva', 'Fleur', 'Anouk'],
  },
  particles: ['van', 'van der', 'van den', 'de', 'ter'],
};

export const POLISH: CultureData = {
  id: 'pl', script: 'latin',
  surnames: [
    ['Nowak', 0.52], ['Kowalski/Kowalska', 0.37], ['Wiśniewski/Wiśniewska', 0.29], ['Wójcik', 0.27], ['Kowalczyk', 0.26],
    ['Kamiński/Kamińska', 0.24], ['Lewandowski/Lewandowska', 0.24], ['Zieliński/Zielińska', 0.23], ['Szymański/Szymańska', 0.22],
    ['Woźniak', 0.22], ['Dąbrowski/Dąbrowska', 0.21], ['Kozłowski/Kozłowska', 0.19], ['Jankowski/Jankowska', 0.17], ['Mazur', 0.17],
    ['Kwiatkowski/Kwiatkowska', 0.16], ['Wojciechowski/Wojciechowska', 0.16], ['Krawczyk', 0.15], ['Kaczmarek', 0.15],
  ],
  tail: { roots: ['Bor', 'Chmiel', 'Dud', 'Gór', 'Jabł', 'Kacz', 'Lis', 'Majew', 'Nowic', 'Pawł', 'Sob', 'Urb', 'Wal', 'Zaj'], suffixes: ['owski/owska', 'ewski/ewska', 'ecki/ecka', 'czak', 'ski/ska', 'ek', 'ik', 'ała'] },
  given: {
    M: ['Piotr', 'Krzysztof', 'Andrzej', 'Tomasz', 'Paweł', 'Jan', 'Michał', 'Marcin', 'Jakub', 'Łukasz', 'Grzegorz', 'Wojciech'],
    F: ['Anna', 'Maria', 'Katarzyna', 'Małgorzata', 'Agnieszka', 'Barbara', 'Ewa', 'Krystyna', 'Magdalena', 'Joanna', 'Zofia'],
  },
  particles: [],
};

export const HUNGARIAN: CultureData = {
  id: 'hu', script: 'latin', familyFirst: true,
  surnames: [
    ['Nagy', 2.4], ['Kovács', 2.2], ['Tóth', 2.1], ['Szabó', 2.0], ['Horváth', 1.9], ['Varga', 1.3], ['Kiss', 1.3],
    ['Molnár', 1.1], ['Németh', 1.0], ['Farkas', 0.9], ['Balogh', 0.9], ['Papp', 0.7], ['Takács', 0.7], ['Juhász', 0.7],
  ],
  tail: { roots: ['Bar', 'Csa', 'Fe', 'Ha', 'Ko', 'Lu', 'Mé', 'Or', 'Sá', 'Ve', 'Zsi'], suffixes: ['dor', 'ti', 'rencz', 'lász', 'ki', 'bó', 'si', 'nyi', 'csi'] },
  given: {
    M: ['László', 'István', 'József', 'János', 'Zoltán', 'Sándor', 'Gábor', 'Ferenc', 'Attila', 'Péter', 'Tamás', 'Bence'],
    F: ['Mária', 'Erzsébet', 'Katalin', 'Éva', 'Ilona', 'Anna', 'Zsuzsanna', 'Margit', 'Judit', 'Ágnes', 'Eszter'],
  },
  particles: [],
};

export const LITHUANIAN: CultureData = {
  id: 'lt', script: 'latin',
  surnames: [
    ['Kazlauskas/Kazlauskienė', 0.9], ['Jankauskas/Jankauskienė', 0.7], ['Petrauskas/Petrauskienė', 0.7],
    ['Stankevičius/Stankevičienė', 0.6], ['Vasiliauskas/Vasiliauskienė', 0.5], ['Žukauskas/Žukauskienė', 0.5],
    ['Butkus/Butkienė', 0.4], ['Paulauskas/Paulauskienė', 0.4], ['Kavaliauskas/Kavaliauskienė', 0.4],
  ],
  tail: { roots: ['Mic', 'Ramanausk', 'Jonait', 'Šimkev', 'Balt', 'Grig'], suffixes: ['as/ienė', 'is/ienė'] },
  given: {
    M: ['Jonas', 'Antanas', 'Juozas', 'Petras', 'Kazimieras', 'Tomas', 'Mantas', 'Lukas'],
    F: ['Ona', 'Janina', 'Irena', 'Danutė', 'Rūta', 'Kristina', 'Aušra', 'Jurgita'],
  },
  particles: [],
};

export const IRISH: CultureData = {
  id: 'ie', script: 'latin',
  surnames: [
    ['Murphy', 1.2], ['Kelly', 0.9], ["O'Sullivan", 0.8], ['Walsh', 0.8], ['Smith', 0.7], ["O'Brien", 0.7], ['Byrne', 0.7],
    ['Ryan', 0.7], ["O'Connor", 0.7], ["O'Neill", 0.6], ["O'Reilly", 0.5], ['Doyle', 0.5], ['McCarthy', 0.5],
  ],
  tail: { roots: ['Mac', 'Fitz', 'Dun', 'Kil', 'Mor', 'Bra', 'Con', 'Dol'], suffixes: ['ley', 'ane', 'gan', 'lan', 'roy', 'nell', 'ery'] },
  given: {
    M: ['John', 'Patrick', 'Michael', 'James', 'William', 'Thomas', 'Seán', 'Robert', 'Daniel', 'Conor', 'Liam', 'Richard'],
    F: ['Mary', 'Margaret', 'Catherine', 'Elizabeth', 'Anne', 'Bridget', 'Aoife', 'Siobhán', 'Sarah', 'Emma', 'Katherine'],
  },
  particles: [],
};

export const TURKISH: CultureData = {
  id: 'tr', script: 'latin',
  surnames: [
    ['Yılmaz', 2.3], ['Kaya', 1.7], ['Demir', 1.6], ['Şahin', 1.3], ['Çelik', 1.3], ['Yıldız', 1.2], ['Yıldırım', 1.2],
    ['Öztürk', 1.0], ['Aydın', 1.0], ['Özdemir', 1.0], ['Arslan', 0.9], ['Doğan', 0.9], ['Kılıç', 0.8], ['Aslan', 0.8],
    ['Çetin', 0.7], ['Kara', 0.7], ['Koç', 0.7], ['Kurt', 0.7], ['Özkan', 0.6], ['Şimşek', 0.6],
  ],
  tail: { roots: ['Ak', 'Bay', 'Çak', 'Er', 'Gök', 'Kar', 'Öz', 'Say', 'Tun', 'Uç', 'Yük', 'Ay', 'Dur'], suffixes: ['soy', 'han', 'taş', 'kaya', 'oğlu', 'türk', 'can', 'er', 'dağ', 'el'] },
  given: {
    M: ['Mehmet', 'Mustafa', 'Ahmet', 'Ali', 'Hüseyin', 'Hasan', 'İbrahim', 'İsmail', 'Osman', 'Yusuf', 'Murat', 'Ömer', 'Ramazan', 'Emre'],
    F: ['Fatma', 'Ayşe', 'Emine', 'Hatice', 'Zeynep', 'Elif', 'Meryem', 'Şerife', 'Zehra', 'Sultan', 'Hanife', 'Merve'],
  },
  particles: [],
};

export const VIETNAMESE: CultureData = {
  id: 'vi', script: 'latin', familyFirst: true,
  surnames: [
    ['Nguyễn', 38], ['Trần', 11], ['Lê', 9.5], ['Phạm', 7], ['Hoàng', 5.1], ['Huỳnh', 2], ['Phan', 4.5], ['Vũ', 3.9],
    ['Võ', 2], ['Đặng', 2.1], ['Bùi', 2], ['Đỗ', 1.4], ['Hồ', 1.3], ['Ngô', 1.3], ['Dương', 1], ['Lý', 0.5],
  ],
  tail: { roots: ['Tạ', 'Lâm', 'Mai', 'Trịnh', 'Đinh', 'Cao', 'Đoàn', 'Lương', 'Hà', 'Tô'], suffixes: [''] },
  given: {
    M: ['Anh', 'Minh', 'Hùng', 'Dũng', 'Tuấn', 'Hải', 'Nam', 'Long', 'Đức', 'Hoàng', 'Quang', 'Thắng', 'Sơn', 'Phúc'],
    F: ['Linh', 'Hương', 'Lan', 'Mai', 'Hoa', 'Thu', 'Ngọc', 'Trang', 'Hằng', 'Phương', 'Thảo', 'Hà', 'Nhung', 'Anh'],
  },
  middle: { M: ['Văn', 'Văn', 'Văn', 'Đức', 'Minh', 'Quốc'], F: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh'] },
  particles: [],
};
