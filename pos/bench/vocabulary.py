"""Words the generator composes names from, and the shape of baskets and payments."""

BRANDS = (
    ("同仁堂", "Tongrentang"), ("仁和", "Renhe"), ("修正", "Xiuzheng"), ("哈药", "Harbin"),
    ("白云山", "Baiyunshan"), ("999", "999"), ("云南白药", "Yunnan Baiyao"), ("江中", "Jiangzhong"),
    ("太极", "Taiji"), ("汤臣倍健", "By-health"), ("九芝堂", "Jiuzhitang"),
    ("马应龙", "Mayinglong"),
    ("葵花", "Kuihua"), ("以岭", "Yiling"), ("天士力", "Tasly"), ("扬子江", "Yangtze River"),
    ("石药", "CSPC"), ("华润", "China Resources"), ("康恩贝", "Conba"), ("健民", "Jianmin"),
    ("敬修堂", "Jingxiutang"), ("千金", "Qianjin"), ("三精", "Sanjing"), ("碧生源", "Besunyen"),
    ("东阿", "Dong-E"), ("广誉远", "Guangyuyuan"), ("亚宝", "Yabao"), ("达因", "Dayin"),
    ("葛兰素", "GSK"), ("拜耳", "Bayer"), ("辉瑞", "Pfizer"), ("强生", "Johnson"),
)  # fmt: skip
MODIFIERS = (
    ("", ""), ("", ""), ("", ""), ("儿童", "Children's"), ("复方", "Compound"),
    ("加强型", "Extra"), ("无糖型", "Sugar-free"), ("缓释", "Extended-release"),
    ("小儿", "Pediatric"), ("精装", "Premium"),
)  # fmt: skip
# Chinese base name, English, category, ingredients ("|"), drug class, price range in yuan.
BASES = (
    ("感冒灵颗粒", "Cold Relief Granules", "cold", "acetaminophen|chlorphenamine", "otc_a", 10, 30),
    ("复方氨酚烷胺片", "Paracetamol Amantadine Tablets", "cold", "acetaminophen|amantadine",
     "otc_a", 8, 25),
    ("板蓝根颗粒", "Isatis Root Granules", "cold", "isatis root", "otc_b", 8, 20),
    ("连花清瘟胶囊", "Lianhua Qingwen Capsules", "cold", "forsythia", "otc_a", 15, 35),
    ("小柴胡颗粒", "Xiaochaihu Granules", "cold", "bupleurum", "otc_b", 12, 28),
    ("双黄连口服液", "Shuanghuanglian Oral Liquid", "cold", "honeysuckle", "otc_b", 15, 40),
    ("维生素C片", "Vitamin C Tablets", "vitamins", "ascorbic acid", "otc_b", 5, 40),
    ("维生素B族片", "Vitamin B Complex", "vitamins", "vitamin b", "none", 20, 80),
    ("复合维生素片", "Multivitamin Tablets", "vitamins", "multivitamin", "none", 40, 160),
    ("碳酸钙D3片", "Calcium Carbonate D3", "vitamins", "calcium carbonate|colecalciferol",
     "otc_b", 25, 90),
    ("鱼油软胶囊", "Fish Oil Softgels", "vitamins", "fish oil", "none", 50, 200),
    ("金嗓子喉片", "Throat Lozenges", "throat", "menthol", "otc_b", 6, 15),
    ("西瓜霜含片", "Watermelon Frost Lozenges", "throat", "watermelon frost", "otc_b", 8, 18),
    ("蒙脱石散", "Montmorillonite Powder", "digestion", "montmorillonite", "otc_a", 12, 30),
    ("益生菌粉", "Probiotic Powder", "digestion", "probiotics", "none", 40, 150),
    ("健胃消食片", "Digestive Tablets", "digestion", "hawthorn", "otc_b", 8, 20),
    ("多潘立酮片", "Domperidone Tablets", "digestion", "domperidone", "otc_a", 15, 30),
    ("奥美拉唑肠溶胶囊", "Omeprazole Capsules", "digestion", "omeprazole", "rx", 10, 40),
    ("布洛芬缓释胶囊", "Ibuprofen SR Capsules", "pain", "ibuprofen", "otc_a", 10, 30),
    ("对乙酰氨基酚片", "Paracetamol Tablets", "pain", "acetaminophen", "otc_a", 5, 15),
    ("双氯芬酸钠凝胶", "Diclofenac Gel", "pain", "diclofenac", "otc_b", 15, 35),
    ("麝香壮骨膏", "Musk Bone Plaster", "pain", "musk", "otc_b", 10, 25),
    ("红霉素软膏", "Erythromycin Ointment", "skin", "erythromycin", "otc_a", 3, 10),
    ("莫匹罗星软膏", "Mupirocin Ointment", "skin", "mupirocin", "otc_a", 15, 30),
    ("创可贴", "Adhesive Bandages", "wound care", "", "none", 5, 20),
    ("碘伏消毒液", "Povidone-iodine Solution", "wound care", "povidone iodine", "none", 5, 15),
    ("医用棉签", "Medical Cotton Swabs", "wound care", "", "none", 3, 10),
    ("玻璃酸钠滴眼液", "Sodium Hyaluronate Eye Drops", "eye", "sodium hyaluronate", "otc_a",
     25, 60),
    ("氯霉素滴眼液", "Chloramphenicol Eye Drops", "eye", "chloramphenicol", "otc_a", 2, 8),
    ("硝苯地平缓释片", "Nifedipine SR Tablets", "cardio", "nifedipine", "rx", 10, 40),
    ("苯磺酸氨氯地平片", "Amlodipine Tablets", "cardio", "amlodipine", "rx", 15, 50),
    ("阿司匹林肠溶片", "Aspirin EC Tablets", "cardio", "aspirin", "otc_a", 10, 25),
    ("阿托伐他汀钙片", "Atorvastatin Tablets", "cardio", "atorvastatin", "rx", 20, 60),
    ("二甲双胍片", "Metformin Tablets", "diabetes", "metformin", "rx", 10, 30),
    ("血糖试纸", "Blood Glucose Strips", "devices", "", "none", 60, 150),
    ("氯雷他定片", "Loratadine Tablets", "allergy", "loratadine", "otc_b", 15, 35),
    ("西替利嗪片", "Cetirizine Tablets", "allergy", "cetirizine", "otc_b", 15, 40),
    ("电子体温计", "Digital Thermometer", "devices", "", "none", 20, 60),
    ("医用口罩", "Medical Masks", "devices", "", "none", 10, 30),
    ("阿莫西林胶囊", "Amoxicillin Capsules", "antibiotics", "amoxicillin", "rx", 8, 25),
    ("头孢克肟分散片", "Cefixime Tablets", "antibiotics", "cefixime", "rx", 20, 50),
)  # fmt: skip
SPECS = ("10g*9袋", "0.3g*24粒", "100片", "12片*2板", "10ml*6支", "20g", "60粒", "30片")
UNITS = ("盒", "瓶", "袋", "支")
PAIRS = (
    ("感冒灵颗粒", "维生素C片"), ("复方氨酚烷胺片", "维生素C片"), ("蒙脱石散", "益生菌粉"),
    ("创可贴", "碘伏消毒液"), ("碘伏消毒液", "医用棉签"), ("布洛芬缓释胶囊", "麝香壮骨膏"),
    ("电子体温计", "医用口罩"), ("金嗓子喉片", "板蓝根颗粒"), ("鱼油软胶囊", "复合维生素片"),
)  # fmt: skip
"""Strong co-purchases: (antecedent base, consequent base)."""
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓"
    "曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
    "玉兰萍红建文辉力峰宇浩凯晨欣怡婷雪琳子轩梓涵一诺嘉"
)
PHONE_PREFIXES = (
    "139", "138", "137", "136", "135", "150", "151", "152", "157", "158", "159", "182", "183",
    "187", "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181",
    "189", "177", "199", "166",
)  # fmt: skip
TENDERS = (("wechat", 40), ("alipay", 25), ("cash", 15), ("insurance", 15), ("card", 5))
