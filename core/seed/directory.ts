/**
 * The 12 sector blocks of seed 002 §3.1 / seed 003 ch.3 §2, each with concrete problem categories
 * (seed 002 §5: "other within the sector" is split into concrete problems when it matters).
 */
export interface SectorSeed {
  code: string;
  ru: string;
  en: string;
  categories: [code: string, ru: string, en: string][];
}

export const SECTORS: SectorSeed[] = [
  { code: 'housing', ru: 'ЖКХ', en: 'Housing and utilities', categories: [
    ['housing.heating', 'Нет отопления или плохо греет', 'No heating or poor heating'],
    ['housing.water', 'Нет воды или плохое качество воды', 'No water or poor water quality'],
    ['housing.yard', 'Благоустройство двора', 'Yard upkeep'],
    ['housing.roof', 'Протекает крыша', 'Leaking roof'],
    ['housing.snow', 'Не убран снег и наледь', 'Snow and ice not cleared'],
  ] },
  { code: 'roads', ru: 'Дороги', en: 'Roads', categories: [
    ['roads.pothole', 'Ямы на дороге', 'Potholes'],
    ['roads.lighting', 'Не работает уличное освещение', 'Street lights out'],
    ['roads.sidewalk', 'Разрушен тротуар', 'Broken sidewalk'],
    ['roads.signs', 'Дорожные знаки и разметка', 'Road signs and markings'],
  ] },
  { code: 'transport', ru: 'Транспорт', en: 'Transport', categories: [
    ['transport.schedule', 'Нарушение расписания', 'Timetable not kept'],
    ['transport.route', 'Нужен новый маршрут', 'A new route is needed'],
    ['transport.stop', 'Остановка в плохом состоянии', 'Bus stop in poor condition'],
  ] },
  { code: 'health', ru: 'Здравоохранение', en: 'Health', categories: [
    ['health.appointment', 'Не записаться к врачу', 'Cannot get a doctor\'s appointment'],
    ['health.medicines', 'Нет льготных лекарств', 'Subsidised medicines unavailable'],
    ['health.ambulance', 'Работа скорой помощи', 'Ambulance service'],
  ] },
  { code: 'education', ru: 'Образование', en: 'Education', categories: [
    ['education.kindergarten', 'Место в детском саду', 'Kindergarten place'],
    ['education.school', 'Состояние школы', 'School building condition'],
    ['education.meals', 'Школьное питание', 'School meals'],
  ] },
  { code: 'social', ru: 'Социальная защита', en: 'Social protection', categories: [
    ['social.benefits', 'Выплаты и пособия', 'Benefits and allowances'],
    ['social.disabled', 'Доступная среда', 'Accessibility'],
    ['social.elderly', 'Помощь пожилым', 'Help for the elderly'],
  ] },
  { code: 'labour', ru: 'Труд и занятость', en: 'Labour and employment', categories: [
    ['labour.wages', 'Задержка зарплаты', 'Wages not paid'],
    ['labour.jobs', 'Поиск работы', 'Finding a job'],
    ['labour.safety', 'Охрана труда', 'Workplace safety'],
  ] },
  { code: 'ecology', ru: 'Природа и экология', en: 'Nature and ecology', categories: [
    ['ecology.air', 'Загрязнение воздуха', 'Air pollution'],
    ['ecology.dump', 'Несанкционированная свалка', 'Illegal dump'],
    ['ecology.trees', 'Вырубка и уход за деревьями', 'Tree felling and care'],
  ] },
  { code: 'construction', ru: 'Строительство', en: 'Construction', categories: [
    ['construction.illegal', 'Незаконное строительство', 'Illegal construction'],
    ['construction.abandoned', 'Заброшенное здание', 'Abandoned building'],
    ['construction.noise', 'Шум от стройки', 'Construction noise'],
  ] },
  { code: 'energy', ru: 'Энергетика', en: 'Energy', categories: [
    ['energy.outage', 'Отключение электроэнергии', 'Power outage'],
    ['energy.gas', 'Газоснабжение', 'Gas supply'],
    ['energy.lines', 'Повреждены линии электропередачи', 'Damaged power lines'],
  ] },
  { code: 'industry', ru: 'Промышленность', en: 'Industry', categories: [
    ['industry.emissions', 'Выбросы предприятий', 'Industrial emissions'],
    ['industry.mining', 'Последствия горных работ', 'Effects of mining'],
    ['industry.trucks', 'Грузовой транспорт предприятий', 'Industrial truck traffic'],
  ] },
  { code: 'waste', ru: 'ТКО', en: 'Solid municipal waste', categories: [
    ['waste.pickup', 'Не вывозят мусор', 'Rubbish not collected'],
    ['waste.site', 'Контейнерная площадка', 'Container site'],
    ['waste.bulky', 'Вывоз крупногабаритного мусора', 'Bulky waste removal'],
  ] },
];
