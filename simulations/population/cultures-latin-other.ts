/**
 * Naming data of Latin-script cultures beyond the six West European ones in `cultures-latin.ts`:
 * Polish, Hungarian, Lithuanian, Irish, Turkish and Vietnamese, in the same form (see that file's
 * header for what the figures are).
 */
import type { CultureData } from './culture.ts';
export const POLISH: CultureData = {
  id: 'pl',
  script: 'latin',
  surnames: [
    ['Nowak', 0.52],
    ['Kowalski/Kowalska', 0.37],
    ['Wiśniewski/Wiśniewska', 0.29],
    ['Wójcik', 0.27],
    ['Kowalczyk', 0.26],
    ['Kamiński/Kamińska', 0.24],
    ['Lewandowski/Lewandowska', 0.24],
    ['Zieliński/Zielińska', 0.23],
    ['Szymański/Szymańska', 0.22],
    ['Woźniak', 0.22],
    ['Dąbrowski/Dąbrowska', 0.21],
    ['Kozłowski/Kozłowska', 0.19],
    ['Jankowski/Jankowska', 0.17],
    ['Mazur', 0.17],
    ['Kwiatkowski/Kwiatkowska', 0.16],
    ['Wojciechowski/Wojciechowska', 0.16],
    ['Krawczyk', 0.15],
    ['Kaczmarek', 0.15],
  ],
  tail: {
    roots: ['Bor', 'Chmiel', 'Dud', 'Gór', 'Jabł', 'Kacz', 'Lis', 'Majew', 'Nowic', 'Pawł', 'Sob', 'Urb', 'Wal', 'Zaj'],
    suffixes: ['owski/owska', 'ewski/ewska', 'ecki/ecka', 'czak', 'ski/ska', 'ek', 'ik', 'ała'],
  },
  given: {
    M: ['Piotr', 'Krzysztof', 'Andrzej', 'Tomasz', 'Paweł', 'Jan', 'Michał', 'Marcin', 'Jakub', 'Łukasz', 'Grzegorz', 'Wojciech'],
    F: ['Anna', 'Maria', 'Katarzyna', 'Małgorzata', 'Agnieszka', 'Barbara', 'Ewa', 'Krystyna', 'Magdalena', 'Joanna', 'Zofia'],
  },
  particles: [],
};

export const HUNGARIAN: CultureData = {
  id: 'hu',
  script: 'latin',
  familyFirst: true,
  surnames: [
    ['Nagy', 2.4],
    ['Kovács', 2.2],
    ['Tóth', 2.1],
    ['Szabó', 2.0],
    ['Horváth', 1.9],
    ['Varga', 1.3],
    ['Kiss', 1.3],
    ['Molnár', 1.1],
    ['Németh', 1.0],
    ['Farkas', 0.9],
    ['Balogh', 0.9],
    ['Papp', 0.7],
    ['Takács', 0.7],
    ['Juhász', 0.7],
  ],
  tail: {
    roots: ['Bar', 'Csa', 'Fe', 'Ha', 'Ko', 'Lu', 'Mé', 'Or', 'Sá', 'Ve', 'Zsi'],
    suffixes: ['dor', 'ti', 'rencz', 'lász', 'ki', 'bó', 'si', 'nyi', 'csi'],
  },
  given: {
    M: ['László', 'István', 'József', 'János', 'Zoltán', 'Sándor', 'Gábor', 'Ferenc', 'Attila', 'Péter', 'Tamás', 'Bence'],
    F: ['Mária', 'Erzsébet', 'Katalin', 'Éva', 'Ilona', 'Anna', 'Zsuzsanna', 'Margit', 'Judit', 'Ágnes', 'Eszter'],
  },
  particles: [],
};

export const LITHUANIAN: CultureData = {
  id: 'lt',
  script: 'latin',
  surnames: [
    ['Kazlauskas/Kazlauskienė', 0.9],
    ['Jankauskas/Jankauskienė', 0.7],
    ['Petrauskas/Petrauskienė', 0.7],
    ['Stankevičius/Stankevičienė', 0.6],
    ['Vasiliauskas/Vasiliauskienė', 0.5],
    ['Žukauskas/Žukauskienė', 0.5],
    ['Butkus/Butkienė', 0.4],
    ['Paulauskas/Paulauskienė', 0.4],
    ['Kavaliauskas/Kavaliauskienė', 0.4],
  ],
  tail: { roots: ['Mic', 'Ramanausk', 'Jonait', 'Šimkev', 'Balt', 'Grig'], suffixes: ['as/ienė', 'is/ienė'] },
  given: {
    M: ['Jonas', 'Antanas', 'Juozas', 'Petras', 'Kazimieras', 'Tomas', 'Mantas', 'Lukas'],
    F: ['Ona', 'Janina', 'Irena', 'Danutė', 'Rūta', 'Kristina', 'Aušra', 'Jurgita'],
  },
  particles: [],
};

export const IRISH: CultureData = {
  id: 'ie',
  script: 'latin',
  surnames: [
    ['Murphy', 1.2],
    ['Kelly', 0.9],
    ["O'Sullivan", 0.8],
    ['Walsh', 0.8],
    ['Smith', 0.7],
    ["O'Brien", 0.7],
    ['Byrne', 0.7],
    ['Ryan', 0.7],
    ["O'Connor", 0.7],
    ["O'Neill", 0.6],
    ["O'Reilly", 0.5],
    ['Doyle', 0.5],
    ['McCarthy', 0.5],
  ],
  tail: { roots: ['Mac', 'Fitz', 'Dun', 'Kil', 'Mor', 'Bra', 'Con', 'Dol'], suffixes: ['ley', 'ane', 'gan', 'lan', 'roy', 'nell', 'ery'] },
  given: {
    M: ['John', 'Patrick', 'Michael', 'James', 'William', 'Thomas', 'Seán', 'Robert', 'Daniel', 'Conor', 'Liam', 'Richard'],
    F: ['Mary', 'Margaret', 'Catherine', 'Elizabeth', 'Anne', 'Bridget', 'Aoife', 'Siobhán', 'Sarah', 'Emma', 'Katherine'],
  },
  particles: [],
};

export const TURKISH: CultureData = {
  id: 'tr',
  script: 'latin',
  surnames: [
    ['Yılmaz', 2.3],
    ['Kaya', 1.7],
    ['Demir', 1.6],
    ['Şahin', 1.3],
    ['Çelik', 1.3],
    ['Yıldız', 1.2],
    ['Yıldırım', 1.2],
    ['Öztürk', 1.0],
    ['Aydın', 1.0],
    ['Özdemir', 1.0],
    ['Arslan', 0.9],
    ['Doğan', 0.9],
    ['Kılıç', 0.8],
    ['Aslan', 0.8],
    ['Çetin', 0.7],
    ['Kara', 0.7],
    ['Koç', 0.7],
    ['Kurt', 0.7],
    ['Özkan', 0.6],
    ['Şimşek', 0.6],
  ],
  tail: {
    roots: ['Ak', 'Bay', 'Çak', 'Er', 'Gök', 'Kar', 'Öz', 'Say', 'Tun', 'Uç', 'Yük', 'Ay', 'Dur'],
    suffixes: ['soy', 'han', 'taş', 'kaya', 'oğlu', 'türk', 'can', 'er', 'dağ', 'el'],
  },
  given: {
    M: ['Mehmet', 'Mustafa', 'Ahmet', 'Ali', 'Hüseyin', 'Hasan', 'İbrahim', 'İsmail', 'Osman', 'Yusuf', 'Murat', 'Ömer', 'Ramazan', 'Emre'],
    F: ['Fatma', 'Ayşe', 'Emine', 'Hatice', 'Zeynep', 'Elif', 'Meryem', 'Şerife', 'Zehra', 'Sultan', 'Hanife', 'Merve'],
  },
  particles: [],
};

export const VIETNAMESE: CultureData = {
  id: 'vi',
  script: 'latin',
  familyFirst: true,
  surnames: [
    ['Nguyễn', 38],
    ['Trần', 11],
    ['Lê', 9.5],
    ['Phạm', 7],
    ['Hoàng', 5.1],
    ['Huỳnh', 2],
    ['Phan', 4.5],
    ['Vũ', 3.9],
    ['Võ', 2],
    ['Đặng', 2.1],
    ['Bùi', 2],
    ['Đỗ', 1.4],
    ['Hồ', 1.3],
    ['Ngô', 1.3],
    ['Dương', 1],
    ['Lý', 0.5],
  ],
  tail: { roots: ['Tạ', 'Lâm', 'Mai', 'Trịnh', 'Đinh', 'Cao', 'Đoàn', 'Lương', 'Hà', 'Tô'], suffixes: [''] },
  given: {
    M: ['Anh', 'Minh', 'Hùng', 'Dũng', 'Tuấn', 'Hải', 'Nam', 'Long', 'Đức', 'Hoàng', 'Quang', 'Thắng', 'Sơn', 'Phúc'],
    F: ['Linh', 'Hương', 'Lan', 'Mai', 'Hoa', 'Thu', 'Ngọc', 'Trang', 'Hằng', 'Phương', 'Thảo', 'Hà', 'Nhung', 'Anh'],
  },
  middle: { M: ['Văn', 'Văn', 'Văn', 'Đức', 'Minh', 'Quốc'], F: ['Thị', 'Thị', 'Thị', 'Ngọc', 'Thu', 'Thanh'] },
  particles: [],
};
